import type { ObjectMeta } from './kube-objects.js';

/** Every Kubernetes SD label starts with this. */
export const META_PREFIX = '__meta_kubernetes_';
/** `__meta_kubernetes_namespace`: the object's namespace, on every namespaced role's group. */
export const NAMESPACE_LABEL = `${META_PREFIX}namespace`;
const PRESENT = 'true';

const INVALID_LABEL_CHARS = /[^a-zA-Z0-9_]/g;

/**
 * Turns a Kubernetes label or annotation key into a Prometheus label-name fragment: every character
 * outside `[a-zA-Z0-9_]` becomes `_` (so `app.kubernetes.io/name` → `app_kubernetes_io_name`). Distinct
 * keys can collide; as in Prometheus the one written last wins.
 */
export function sanitizeLabelName(name: string): string {
  return name.replace(INVALID_LABEL_CHARS, '_');
}

/**
 * Writes `<prefix>_label_<k>`, `<prefix>_labelpresent_<k>`, `<prefix>_annotation_<k>` and
 * `<prefix>_annotationpresent_<k>` for the object's labels and annotations into `out`.
 */
export function addLabelsAndAnnotations(
  out: Record<string, string>,
  meta: ObjectMeta,
  resource: string,
): void {
  const base = META_PREFIX + resource;
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    const ln = sanitizeLabelName(k);
    out[`${base}_label_${ln}`] = v;
    out[`${base}_labelpresent_${ln}`] = PRESENT;
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    const ln = sanitizeLabelName(k);
    out[`${base}_annotation_${ln}`] = v;
    out[`${base}_annotationpresent_${ln}`] = PRESENT;
  }
}

/** {@link addLabelsAndAnnotations} plus `__meta_kubernetes_<role>_name`. */
export function addObjectMetaLabels(out: Record<string, string>, meta: ObjectMeta, role: string): void {
  out[`${META_PREFIX}${role}_name`] = meta.name;
  addLabelsAndAnnotations(out, meta, role);
}

/** `host:port`, bracketing IPv6 hosts as Go's `net.JoinHostPort` does. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

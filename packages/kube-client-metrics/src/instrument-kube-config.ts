import type {
  ApiConstructor,
  ApiType,
  HttpLibrary,
  Informer,
  KubeConfig,
  KubernetesObject,
  ListPromise,
  ObjectCache,
} from '@kubernetes/client-node';
import { clientNode } from './client-node.js';
import { type KubeClientMetricsLogger, silentLogger } from './logger.js';
import { instrumentHttpLibrary } from './instrumented-http-library.js';
import { InstrumentedWatch } from './instrumented-watch.js';
import { defaultKubeClientMetrics, type KubeClientMetrics } from './kube-client-metrics.js';
import type { Clock } from './request-recorder.js';

/** Options of {@link instrumentKubeConfig}. */
export interface InstrumentKubeConfigOptions {
  /** The hooks to report to. @defaultValue {@link defaultKubeClientMetrics}, the process-wide instance */
  readonly metrics?: KubeClientMetrics | undefined;
  /** Where a throwing hook is reported (once per client). @defaultValue `silentLogger` */
  readonly logger?: KubeClientMetricsLogger | undefined;
  /**
   * The HTTP library the API clients send through, wrapped by the instrumentation.
   * @defaultValue client-node's `IsomorphicFetchHttpLibrary`
   */
  readonly httpApi?: HttpLibrary | undefined;
  /** @internal Test seam: the clock, in milliseconds. */
  readonly now?: Clock | undefined;
}

/**
 * A `KubeConfig` whose API clients, watches and informers report to client-go style hooks. Create every
 * client through it instead of through the `KubeConfig` itself.
 */
export interface InstrumentedKubeConfig {
  /** The wrapped configuration (unchanged). */
  readonly kubeConfig: KubeConfig;
  /** The hooks the clients report to. */
  readonly metrics: KubeClientMetrics;
  /**
   * `kubeConfig.makeApiClient(ApiClass)`, instrumented: the same configuration client-node builds (server
   * of the current cluster, the KubeConfig as the `default` auth method) with an instrumented `httpApi`.
   *
   * @throws Error when the KubeConfig has no current cluster, as `makeApiClient` does.
   */
  makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T;
  /** A new instrumented `Watch` for this KubeConfig. */
  createWatch(): InstrumentedWatch;
  /**
   * client-node's `makeInformer`, with an instrumented watch; `listFn` should come from an API client made
   * by {@link InstrumentedKubeConfig.makeApiClient} so the LIST is counted too. Call `start()` on it.
   */
  makeInformer<T extends KubernetesObject>(
    path: string,
    listFn: ListPromise<T>,
    labelSelector?: string,
    fieldSelector?: string,
  ): Informer<T> & ObjectCache<T>;
}

/**
 * Instruments a `KubeConfig`: typed API calls, watches and informers created through the returned object
 * report every request to the hooks of `options.metrics` (the process-wide instance by default).
 *
 * It uses client-node's supported extension points only: a custom `httpApi` in a `Configuration` built
 * with `createConfiguration`, and a `Watch` subclass handed to `ListWatch`. Nothing is patched, so clients
 * created directly from the `KubeConfig` stay uninstrumented.
 *
 * @example
 * ```ts
 * import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
 * import { instrumentKubeConfig, register } from '@scrapewire/kube-client-metrics';
 *
 * register({ requestResult: { increment: (code, method, host) => console.log(code, method, host) } });
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const k8s = instrumentKubeConfig(kc);
 * const core = k8s.makeApiClient(CoreV1Api);
 * await core.listNamespacedPod({ namespace: 'default' }); // logs "200 GET <host>"
 * ```
 */
export function instrumentKubeConfig(
  kubeConfig: KubeConfig,
  options: InstrumentKubeConfigOptions = {},
): InstrumentedKubeConfig {
  const metrics = options.metrics ?? defaultKubeClientMetrics;
  const logger = options.logger ?? silentLogger;
  const createWatch = (): InstrumentedWatch =>
    new InstrumentedWatch(kubeConfig, { metrics, logger, now: options.now });
  return {
    kubeConfig,
    metrics,
    makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
      const cluster = kubeConfig.getCurrentCluster();
      if (!cluster) throw new Error('No active cluster!');
      const httpApi = instrumentHttpLibrary({
        metrics,
        serverUrl: cluster.server,
        inner: options.httpApi,
        logger,
        now: options.now,
      });
      const { createConfiguration, ServerConfiguration } = clientNode();
      const configuration = createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: kubeConfig },
        httpApi,
      });
      return new apiClientType(configuration);
    },
    createWatch,
    makeInformer<T extends KubernetesObject>(
      path: string,
      listFn: ListPromise<T>,
      labelSelector?: string,
      fieldSelector?: string,
    ): Informer<T> & ObjectCache<T> {
      const { ListWatch } = clientNode();
      return new ListWatch<T>(path, createWatch(), listFn, false, labelSelector, fieldSelector);
    },
  };
}

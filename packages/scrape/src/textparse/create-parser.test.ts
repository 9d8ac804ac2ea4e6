import { describe, expect, it } from 'vitest';
import { createParser, formatForContentType, UnsupportedContentTypeError } from './create-parser.js';
import { OpenMetricsParser } from './openmetrics-parser.js';
import { PromTextParser } from './prom-parser.js';

const body = Buffer.from('a 1\n# EOF\n');

describe('createParser', () => {
  it.each([
    ['text/plain; version=0.0.4', PromTextParser],
    ['text/plain', PromTextParser],
    ['text/plain;version=1.0.0;escaping=allow-utf-8', PromTextParser],
    ['Text/Plain; charset=utf-8', PromTextParser],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', OpenMetricsParser],
    ['application/openmetrics-text;version=0.0.1', OpenMetricsParser],
  ])('chooses by %j', (ct, cls) => expect(createParser(body, ct)).toBeInstanceOf(cls));

  it('refuses blank, unknown and protobuf content types without a fallback, naming them', () => {
    expect(() => createParser(body, undefined)).toThrow(/blank Content-Type/);
    expect(() => createParser(body, '  ')).toThrow(/blank Content-Type/);
    expect(() => createParser(body, 'application/json')).toThrow(
      /unsupported Content-Type "application\/json"/,
    );
    const proto =
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited';
    let err: unknown;
    try {
      createParser(body, proto);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedContentTypeError);
    expect((err as UnsupportedContentTypeError).code).toBe('SW_ERR_CONTENT_TYPE');
    expect((err as UnsupportedContentTypeError).contentType).toBe(proto);
  });

  it('uses the fallback protocol for blank and unknown content types', () => {
    expect(createParser(body, '', { fallback: 'PrometheusText0.0.4' })).toBeInstanceOf(PromTextParser);
    expect(createParser(body, 'foo/bar', { fallback: 'OpenMetricsText1.0.0' })).toBeInstanceOf(
      OpenMetricsParser,
    );
    expect(createParser(body, undefined, { fallback: 'PrometheusText1.0.0' })).toBeInstanceOf(PromTextParser);
    expect(() => createParser(body, '', { fallback: 'PrometheusProto' })).toThrow(/not supported/);
  });

  it('ignores the fallback when the content type is known', () => {
    expect(createParser(body, 'text/plain', { fallback: 'OpenMetricsText1.0.0' })).toBeInstanceOf(
      PromTextParser,
    );
  });

  it('maps media types only', () => {
    expect(formatForContentType('application/openmetrics-text')).toBe('openmetrics');
    expect(formatForContentType('text/html')).toBeUndefined();
  });
});

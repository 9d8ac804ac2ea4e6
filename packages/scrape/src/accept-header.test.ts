import { describe, expect, it } from 'vitest';
import { acceptHeader, escapingFor } from './accept-header.js';

describe('acceptHeader', () => {
  it('builds the default v3 header with UTF-8 escaping', () => {
    expect(
      acceptHeader(
        ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'],
        'allow-utf-8',
      ),
    ).toBe(
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    );
  });

  it('builds the proto-first header', () => {
    expect(
      acceptHeader(
        [
          'PrometheusProto',
          'OpenMetricsText1.0.0',
          'OpenMetricsText0.0.1',
          'PrometheusText1.0.0',
          'PrometheusText0.0.4',
        ],
        'allow-utf-8',
      ),
    ).toBe(
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
    );
  });

  it('uses underscores escaping under legacy validation', () => {
    expect(escapingFor('legacy', 'allow-utf-8')).toBe('underscores');
    expect(acceptHeader(['PrometheusText1.0.0'], escapingFor('legacy', 'allow-utf-8'))).toBe(
      'text/plain;version=1.0.0;escaping=underscores;q=0.6,*/*;q=0.5',
    );
  });
});

/** Cases for `targetScrapeUrl`: name, labels, job params, expected URL (as Go's `url.URL.String`). */
export const scrapeUrlCases: [string, Record<string, string>, Record<string, string[]>, string][] = [
  [
    'plain',
    { __scheme__: 'http', __address__: 'h:80', __metrics_path__: '/metrics' },
    {},
    'http://h:80/metrics',
  ],
  [
    'params sorted, first value replaced by __param_',
    {
      __scheme__: 'https',
      __address__: 'h',
      __metrics_path__: '/probe',
      __param_module: 'icmp',
      __param_a: '1',
    },
    { module: ['http', 'tcp'], z: ['9'] },
    'https://h/probe?a=1&module=icmp&module=tcp&z=9',
  ],
  [
    'query escaping like url.QueryEscape',
    { __scheme__: 'http', __address__: 'h', __metrics_path__: '/m', __param_q: 'a b&c=d/é~' },
    {},
    'http://h/m?q=a+b%26c%3Dd%2F%C3%A9~',
  ],
  [
    'path escaping',
    { __scheme__: 'http', __address__: 'h', __metrics_path__: '/a b/c?d' },
    {},
    'http://h/a%20b/c%3Fd',
  ],
  [
    'relative path gets a slash',
    { __scheme__: 'http', __address__: 'h', __metrics_path__: 'metrics' },
    {},
    'http://h/metrics',
  ],
  [
    'IPv6 host',
    { __scheme__: 'http', __address__: '[::1]:9090', __metrics_path__: '/metrics' },
    {},
    'http://[::1]:9090/metrics',
  ],
  [
    'empty param value kept from params',
    { __scheme__: 'http', __address__: 'h', __metrics_path__: '/' },
    { x: [''] },
    'http://h/?x=',
  ],
];

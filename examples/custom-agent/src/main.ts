import { customAgent } from './agent.js';
import { healthTransitions } from './health-transitions.js';

// Scrapes the targets below and prints a line whenever one of them goes up or down.
const configYaml = `
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: local
    static_configs:
      - targets: ['127.0.0.1:9095', '127.0.0.1:9100']
`;

const subscription = customAgent({ configYaml }, healthTransitions()).subscribe((t) => {
  const state = t.up ? 'UP  ' : 'DOWN';
  console.log(
    `${new Date(t.timestampMs).toISOString()} ${state} ${t.job}/${t.instance}${t.error ? ` (${t.error})` : ''}`,
  );
});
process.once('SIGINT', () => subscription.unsubscribe());
process.once('SIGTERM', () => subscription.unsubscribe());

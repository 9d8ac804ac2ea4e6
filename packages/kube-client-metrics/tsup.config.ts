import { defineConfig, packageBuild } from '../../tsup.config.base';

export default defineConfig(packageBuild({ 'prom-client': 'src/prom-client.ts' }));

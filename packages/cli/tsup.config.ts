import { defineConfig, packageBuild } from '../../tsup.config.base';

export default defineConfig(packageBuild({ bin: 'src/bin.ts' }));

import { definePackageTestConfig } from '../../vitest.shared';

export default definePackageTestConfig('example-kube-client-metrics');

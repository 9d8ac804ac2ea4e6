import { definePackageTestConfig } from '../../vitest.shared';

export default definePackageTestConfig('kube-client-metrics');

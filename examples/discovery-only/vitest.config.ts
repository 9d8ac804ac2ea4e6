import { definePackageTestConfig } from '../../vitest.shared';

export default definePackageTestConfig('example-discovery-only');

import { definePackageTestConfig } from '../../vitest.shared.ts';

export default definePackageTestConfig('test-utils');

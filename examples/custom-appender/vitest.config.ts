import { definePackageTestConfig } from '../../vitest.shared.ts';

export default definePackageTestConfig('example-custom-appender');

import { definePackageTestConfig } from '../../vitest.shared';

export default definePackageTestConfig('example-custom-appender');

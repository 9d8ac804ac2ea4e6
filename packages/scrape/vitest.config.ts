import { definePackageTestConfig } from '../../vitest.shared';

export default definePackageTestConfig('scrape');

export { FakeKubeApiServer } from './fake-kube-api-server.js';
export type {
  FakeFailure,
  FakeKubeApiServerOptions,
  FakeKubeObject,
  FakeKubeRequest,
} from './fake-kube-api-server.js';
export { FAKE_RESOURCES, parseResourcePath } from './resources.js';
export type { FakeResourceKind, FakeResourceName } from './resources.js';
export { parseFieldSelector, parseLabelSelector, SelectorParseError } from './selectors.js';

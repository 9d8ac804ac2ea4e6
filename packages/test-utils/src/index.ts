export { findBinary, missingBinaryMessage } from './binaries.js';
export { freePort } from './free-port.js';
export { FakeKubeApiServer, parseFieldSelector, parseLabelSelector } from './fake-kube-api/index.js';
export type {
  FakeFailure,
  FakeKubeApiServerOptions,
  FakeKubeObject,
  FakeKubeRequest,
  FakeResourceName,
} from './fake-kube-api/index.js';

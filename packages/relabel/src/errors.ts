import { InvalidOptionsError } from '@scrapewire/model';

/**
 * A relabel rule is invalid: an unknown action, a missing or invalid field for its action, or a regex
 * RE2 cannot compile. The message is Prometheus's wording where Prometheus has one. `path` names the
 * offending field, prefixed with the rule's index when it came from a list (`[2].regex`). Code:
 * `SW_ERR_INVALID_OPTIONS`.
 */
export class RelabelConfigError extends InvalidOptionsError {
  override name = 'RelabelConfigError';
}

import { ScrapewireError } from '@scrapewire/model';

/** Why a storage rejected one sample; the scrape counts these per reason and carries on. */
export type StorageErrorCode =
  | 'SW_ERR_OUT_OF_ORDER_SAMPLE'
  | 'SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP'
  | 'SW_ERR_OUT_OF_BOUNDS'
  | 'SW_ERR_TOO_OLD_SAMPLE'
  | 'SW_ERR_OUT_OF_ORDER_EXEMPLAR'
  | 'SW_ERR_DUPLICATE_EXEMPLAR'
  | 'SW_ERR_EXEMPLAR_LABEL_LENGTH'
  | 'SW_ERR_NATIVE_HISTOGRAMS_DISABLED'
  | 'SW_ERR_SERIES_LIMIT';

/** A sample the storage rejected; never fatal for the scrape that appended it. */
export class StorageError extends ScrapewireError {
  override name = 'StorageError';

  constructor(
    override readonly code: StorageErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

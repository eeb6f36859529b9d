import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { LocalObjectStorage } from './local-storage.js';
import { ObjectStorage } from './object-storage.js';
import { S3ObjectStorage } from './s3-storage.js';
import { StorageConfig } from './storage.config.js';

/** The adapter STORAGE_DRIVER names. */
export function createObjectStorage(storage: StorageConfig, app: Pick<AppConfig, 'DATA_DIR'>) {
  return storage.STORAGE_DRIVER === 's3'
    ? new S3ObjectStorage(storage)
    : new LocalObjectStorage(storage.localDir(app.DATA_DIR));
}

/**
 * Provides `ObjectStorage` (the port) to the module that imports it: the local filesystem
 * adapter or the S3 one, as configured. Keys start with the context's name (`social/media/…`).
 */
@Module({
  providers: [
    {
      provide: ObjectStorage,
      inject: [StorageConfig, AppConfig],
      useFactory: (storage: StorageConfig, app: AppConfig): ObjectStorage =>
        createObjectStorage(storage, app),
    },
  ],
  exports: [ObjectStorage],
})
export class StorageModule {}

/**
 * Photos residents send with a request. The robot's links are encrypted and work for 5 minutes
 * only, so the intake writes a pending inbound_photo row per link with the message, and the
 * PhotoKeeper fetches, decrypts and stores each within that window; the street office's pages
 * then show the photos from Mulin itself (GET /admin/photos/:id).
 */
export { PhotoKeeper, type PhotoKeeperHealth, type PhotoKeeperOptions } from './photo-keeper';
export { httpMediaFetch, MediaTooLargeError, type MediaFetchFn, type MediaAnswer } from './media-fetch';
export { imageTypeOf, type ImageType } from './image-type';
export { keptPhoto, photosOfRequests, type PhotoStatus, type PhotoSummary } from './photo-reads';

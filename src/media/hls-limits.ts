// The HLS segmenter's defaults, apart from its code: the server reads them at startup, and loads the segmenter
// itself (with the MPEG-TS muxer) only when a player first asks for HLS.

/** Default segment length: a segment is cut at the first keyframe at least this far into it (so it follows the GOP). */
export const HLS_TARGET_SEGMENT_MS = 2_000;
/** Default number of segments listed and kept in memory per stream. */
export const HLS_WINDOW_SEGMENTS = 6;
/** No segment runs longer than this, keyframe or not; it also caps EXT-X-TARGETDURATION. */
export const HLS_MAX_SEGMENT_MS = 12_000;
/** A segment that reaches this size is cut at the next packet: it bounds the memory of one stream's window. */
export const HLS_MAX_SEGMENT_BYTES = 8 * 1024 * 1024;

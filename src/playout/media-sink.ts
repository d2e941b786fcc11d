/** Where a source's media goes: a channel of the embedded server, or an RTMP publish to another server. */
export interface MediaSink {
  pushVideo(timestamp: number, payload: Buffer): void;
  pushAudio(timestamp: number, payload: Buffer): void;
  pushData(timestamp: number, payload: Buffer, isMetadata: boolean): void;
}

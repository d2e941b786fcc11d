import WebSocket, { type ClientOptions } from 'ws';
import { FlvWalker } from './media.js';

/** A WebSocket-FLV viewer (the ws package as the client): its binary messages, walked as FLV as they arrive. */
export interface WsView {
  ws: WebSocket;
  messages: Buffer[];
  walker: FlvWalker;
  closed: Promise<{ code: number; reason: string }>;
}

export function wsView(url: string, options: ClientOptions = {}): WsView {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
  const view: WsView = {
    ws,
    messages: [],
    walker: new FlvWalker(),
    closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  ws.on('error', () => {});
  ws.on('message', (data: Buffer) => {
    view.messages.push(data);
    view.walker.push(data);
  });
  return view;
}

/** The HTTP answer a WebSocket upgrade was refused with (status and headers). */
export function wsRefusalAnswer(url: string, options: ClientOptions = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      ws.terminate();
    });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error(`${url} was accepted`));
    });
    ws.on('error', () => {});
  });
}

/** The HTTP status a WebSocket upgrade was refused with. */
export async function wsRefusal(url: string, options: ClientOptions = {}): Promise<number> {
  return (await wsRefusalAnswer(url, options)).status;
}

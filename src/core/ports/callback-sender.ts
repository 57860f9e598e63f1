/** Delivers one callback: an HTTP PUT of a JSON body to a URL (retries are the sender's business). */
export type CallbackSender = (url: string, body: string) => Promise<void>;

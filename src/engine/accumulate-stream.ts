import type { AnswerPart } from '../model/message.js';
import { EMPTY_USAGE, type ProviderResponse } from '../model/response.js';
import type { StreamEvent } from '../model/stream-event.js';

/**
 * Builds one non-streamed answer from a provider's stream events: text deltas joined into text parts,
 * completed tool calls in order, and the finish event's reason, usage, model and id. The engine
 * streams from the provider even when its caller asked for one answer, so that a hang shows within
 * seconds (no first token) instead of at the deadline; this turns the stream back into the answer.
 * @example const acc = new StreamAccumulator('gpt-4o'); for await (const ev of events) acc.add(ev); acc.response();
 */
export class StreamAccumulator {
  private readonly content: AnswerPart[] = [];
  private text = '';
  private finish: Extract<StreamEvent, { type: 'finish' }> | undefined;

  constructor(private readonly requestedModel: string) {}

  /** Takes one event (tool-call pieces are skipped: the completed `tool-call` event carries the parsed input). */
  add(event: StreamEvent): void {
    switch (event.type) {
      case 'text-delta': {
        if (event.text === '') return;
        this.text += event.text;
        const last = this.content[this.content.length - 1];
        if (last?.type === 'text') last.text += event.text;
        else this.content.push({ type: 'text', text: event.text });
        return;
      }
      case 'tool-call':
        this.content.push({ type: 'tool-call', id: event.id, name: event.name, input: event.input });
        return;
      case 'finish':
        this.finish = event;
        return;
      default:
    }
  }

  /** True once the finish event arrived. */
  get finished(): boolean {
    return this.finish !== undefined;
  }

  /** The answer (call once the stream ended; a stream that never finished is the adapter's error, not ours). */
  response(): ProviderResponse {
    const finish = this.finish;
    const response: ProviderResponse = {
      model: finish?.model || this.requestedModel,
      content: this.content,
      text: this.text,
      finishReason: finish?.finishReason ?? 'other',
      usage: finish?.usage ?? { ...EMPTY_USAGE },
    };
    if (finish?.rawFinishReason !== undefined) response.rawFinishReason = finish.rawFinishReason;
    if (finish?.id !== undefined) response.id = finish.id;
    return response;
  }
}

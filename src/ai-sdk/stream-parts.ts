/**
 * A failsoft stream (`ai.stream`) as the AI SDK's stream parts: `stream-start` (with the call's warnings),
 * `response-metadata`, text in `text-start`/`-delta`/`-end` blocks, tool calls as `tool-input-start`/`-delta`/
 * `-end` then `tool-call`, and `finish` with usage and `providerMetadata.failsoft`. A failure after the first
 * content (failsoft can no longer fail over invisibly) is an `error` part followed by `finish` (`error`).
 */
import type { LanguageModelV4StreamPart, SharedV4Warning } from '@ai-sdk/provider';
import type { FailsoftStreamEvent, StreamStartEvent } from '../engine/results.js';
import type { GenerateRequest } from '../model/message.js';
import { answerMetadata, finishReason, usage } from './convert-answer.js';
import { FailsoftStreamError, toAISDKError } from './errors.js';

/** What the translation needs besides the events. */
export interface StreamPartsContext {
  feature: string;
  /** The request sent, for the errors' `requestBodyValues`. */
  request: GenerateRequest;
  warnings: SharedV4Warning[];
}

/**
 * Translates the rest of a failsoft stream whose `start` event was already read. Pull-driven: an event is
 * read from failsoft only when the AI SDK wants a part, so a slow consumer slows the provider stream down
 * instead of buffering it; cancelling the stream closes the provider stream.
 */
export function streamParts(
  events: AsyncGenerator<FailsoftStreamEvent>,
  start: StreamStartEvent,
  context: StreamPartsContext,
): ReadableStream<LanguageModelV4StreamPart> {
  const translate = new PartTranslator(start, context);
  const queue: LanguageModelV4StreamPart[] = [
    { type: 'stream-start', warnings: context.warnings },
    { type: 'response-metadata', ...(start.model === undefined ? {} : { modelId: start.model }) },
  ];
  let done = false;
  let cancelled = false;
  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      // A pull that enqueues nothing is not called again: read until there is a part to give, or the end.
      while (queue.length === 0 && !done) {
        let next: IteratorResult<FailsoftStreamEvent>;
        try {
          next = await events.next();
        } catch (error) {
          done = true;
          if (!cancelled) controller.error(toAISDKError(error, context.request));
          return;
        }
        if (next.done) {
          done = true;
          queue.push(...translate.end());
        } else {
          queue.push(...translate.event(next.value));
        }
      }
      // A consumer that cancelled while an event was awaited has closed the stream: nothing more may go in.
      if (cancelled) return;
      for (const part of queue.splice(0)) controller.enqueue(part);
      if (done) controller.close();
    },
    async cancel() {
      done = true;
      cancelled = true;
      await events.return(undefined);
    },
  });
}

/** The translation's state: the open text block and the tool calls whose input is streaming. */
class PartTranslator {
  private textId: string | undefined;
  private textBlocks = 0;
  private readonly toolInputs = new Map<number, string>();
  private finished = false;

  constructor(
    private readonly start: StreamStartEvent,
    private readonly context: StreamPartsContext,
  ) {}

  event(event: FailsoftStreamEvent): LanguageModelV4StreamPart[] {
    switch (event.type) {
      case 'start':
        return [];
      case 'text-delta': {
        const parts: LanguageModelV4StreamPart[] = [];
        if (this.textId === undefined) {
          this.textId = `text-${this.textBlocks++}`;
          parts.push({ type: 'text-start', id: this.textId });
        }
        parts.push({ type: 'text-delta', id: this.textId, delta: event.text });
        return parts;
      }
      case 'tool-call-start':
        this.toolInputs.set(event.index, event.id);
        return [...this.closeText(), { type: 'tool-input-start', id: event.id, toolName: event.name }];
      case 'tool-call-delta': {
        const id = this.toolInputs.get(event.index);
        return id === undefined ? [] : [{ type: 'tool-input-delta', id, delta: event.argumentsDelta }];
      }
      case 'tool-call': {
        const parts = this.closeText();
        if (this.toolInputs.delete(event.index)) parts.push({ type: 'tool-input-end', id: event.id });
        parts.push({
          type: 'tool-call',
          toolCallId: event.id,
          toolName: event.name,
          input: JSON.stringify(event.input ?? {}),
        });
        return parts;
      }
      case 'finish': {
        this.finished = true;
        const parts = this.closeText();
        if (event.id !== undefined || event.model !== undefined) {
          parts.push({
            type: 'response-metadata',
            ...(event.id === undefined ? {} : { id: event.id }),
            ...(event.model === undefined ? {} : { modelId: event.model }),
          });
        }
        parts.push({
          type: 'finish',
          usage: usage(event.usage),
          finishReason: finishReason(event.finishReason, event.rawFinishReason),
          providerMetadata: answerMetadata(this.start, this.context.feature, event.model),
        });
        return parts;
      }
      case 'error':
        this.finished = true;
        return [
          ...this.closeText(),
          { type: 'error', error: new FailsoftStreamError(this.context.feature, event.error, this.context.request) },
          {
            type: 'finish',
            usage: usage(undefined),
            finishReason: finishReason('error'),
            providerMetadata: answerMetadata(this.start, this.context.feature),
          },
        ];
    }
  }

  /** The parts owed when failsoft's stream ended: a finish, if none came (the answer may be incomplete). */
  end(): LanguageModelV4StreamPart[] {
    const parts = this.closeText();
    if (!this.finished) {
      parts.push({
        type: 'finish',
        usage: usage(undefined),
        finishReason: { unified: 'interrupted', raw: undefined },
        providerMetadata: answerMetadata(this.start, this.context.feature),
      });
    }
    return parts;
  }

  private closeText(): LanguageModelV4StreamPart[] {
    if (this.textId === undefined) return [];
    const id = this.textId;
    this.textId = undefined;
    return [{ type: 'text-end', id }];
  }
}

/** The AI SDK call options → failsoft request mapping, part by part, with what is refused or warned about. */
import { InvalidArgumentError, UnsupportedFunctionalityError, type LanguageModelV4Prompt } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { assertGenerateRequest } from '../engine/request-schema.js';
import { convertCall } from './convert-call.js';

const hello: LanguageModelV4Prompt = [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }];

describe('convertCall', () => {
  it('maps every role and part failsoft carries, into a request the engine accepts', () => {
    const { request, warnings } = convertCall({
      prompt: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather ' },
            { type: 'text', text: 'in Paris?' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking it up.' },
            { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { type: 'json', value: { c: 21 } } },
            { type: 'tool-result', toolCallId: 'c2', toolName: 'weather', output: { type: 'text', value: 'sunny' } },
            {
              type: 'tool-result',
              toolCallId: 'c3',
              toolName: 'weather',
              output: { type: 'error-text', value: 'down' },
            },
            {
              type: 'tool-result',
              toolCallId: 'c4',
              toolName: 'weather',
              output: { type: 'error-json', value: { code: 1 } },
            },
            {
              type: 'tool-result',
              toolCallId: 'c5',
              toolName: 'weather',
              output: { type: 'execution-denied', reason: 'user said no' },
            },
            {
              type: 'tool-result',
              toolCallId: 'c6',
              toolName: 'weather',
              output: {
                type: 'content',
                value: [
                  { type: 'text', text: 'a' },
                  { type: 'text', text: 'b' },
                ],
              },
            },
          ],
        },
      ],
      maxOutputTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
      headers: { 'x-ignored': 'yes' },
    });
    expect(warnings).toEqual([]);
    expect(request).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking it up.' },
            { type: 'tool-call', id: 'c1', name: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'c1', name: 'weather', content: '{"c":21}' },
            { type: 'tool-result', toolCallId: 'c2', name: 'weather', content: 'sunny' },
            { type: 'tool-result', toolCallId: 'c3', name: 'weather', content: 'down', isError: true },
            { type: 'tool-result', toolCallId: 'c4', name: 'weather', content: '{"code":1}', isError: true },
            {
              type: 'tool-result',
              toolCallId: 'c5',
              name: 'weather',
              content: 'Tool execution denied: user said no',
              isError: true,
            },
            { type: 'tool-result', toolCallId: 'c6', name: 'weather', content: 'ab' },
          ],
        },
      ],
      maxOutputTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
    });
    expect(() => assertGenerateRequest('chat', request)).not.toThrow();
  });

  it('maps function tools, toolChoice and JSON response formats', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const { request } = convertCall({
      prompt: hello,
      tools: [{ type: 'function', name: 'weather', description: 'Weather', inputSchema: schema }],
      toolChoice: { type: 'tool', toolName: 'weather' },
      responseFormat: { type: 'json', schema, name: 'place', description: 'A place' },
    });
    expect(request.tools).toEqual([{ name: 'weather', description: 'Weather', inputSchema: schema }]);
    expect(request.toolChoice).toEqual({ type: 'tool', name: 'weather' });
    expect(request.responseFormat).toEqual({ type: 'json', schema, name: 'place', description: 'A place' });
    expect(convertCall({ prompt: hello, responseFormat: { type: 'json' } }).request.responseFormat).toEqual({
      type: 'json',
    });
    expect(convertCall({ prompt: hello, responseFormat: { type: 'text' } }).request.responseFormat).toBeUndefined();
    expect(convertCall({ prompt: hello, toolChoice: { type: 'required' } }).request.toolChoice).toBeUndefined();
  });

  it('warns, never silently drops: provider tools, input examples, reasoning and other unsupported settings', () => {
    const { request, warnings } = convertCall({
      prompt: [
        ...hello,
        { role: 'assistant', content: [{ type: 'reasoning', text: 'hmm' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'so' },
            { type: 'text', text: 'Hi' },
          ],
        },
      ],
      tools: [
        { type: 'provider', id: 'openai.web_search', name: 'web_search', args: {} },
        { type: 'function', name: 'f', inputSchema: { type: 'object' }, inputExamples: [{ input: { a: 1 } }] },
      ],
      topK: 3,
      frequencyPenalty: 1,
      reasoning: 'high',
      includeRawChunks: true,
      providerOptions: { failsoft: { priority: 'batch', colour: 'red' }, openai: { user: 'u1' } },
    });
    // A message that was only reasoning is left out; the text beside reasoning is kept.
    expect(request.messages).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi' },
    ]);
    expect(request.tools?.map((t) => t.name)).toEqual(['f']);
    expect(
      warnings.map((w) =>
        w.type === 'unsupported' ? w.feature : w.type === 'other' ? w.message.slice(0, 41) : w.type,
      ),
    ).toEqual([
      'failsoft/ai-sdk left out a reasoning part',
      'failsoft/ai-sdk left out a reasoning part',
      'topK',
      'frequencyPenalty',
      'reasoning',
      'includeRawChunks',
      'provider tool openai.web_search',
      'tool inputExamples',
      'providerOptions.failsoft.colour',
    ]);
    expect(convertCall({ prompt: hello, providerOptions: { failsoft: { priority: 'batch' } } }).options.priority).toBe(
      'batch',
    );
  });

  it('refuses files other than user images by name and place', () => {
    const pdf = () =>
      convertCall({
        prompt: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is it?' },
              {
                type: 'file',
                mediaType: 'application/pdf',
                filename: 'report.pdf',
                data: { type: 'data', data: 'JVBERi0=' },
              },
            ],
          },
        ],
      });
    expect(pdf).toThrow(UnsupportedFunctionalityError);
    expect(pdf).toThrow('file part (application/pdf, report.pdf) (message 0 (user), part 1) is not supported');
    const inToolResult = () =>
      convertCall({
        prompt: [
          {
            role: 'tool',
            content: [
              {
                type: 'tool-result',
                toolCallId: 'c',
                toolName: 't',
                output: {
                  type: 'content',
                  value: [
                    {
                      type: 'file',
                      mediaType: 'image/jpeg',
                      data: { type: 'url', url: new URL('https://x.test/a.jpg') },
                    },
                  ],
                },
              },
            ],
          },
        ],
      });
    expect(inToolResult).toThrow('file in a tool result (image/jpeg) (message 0 (tool), part 0, item 0)');
  });

  it('refuses a priority failsoft does not know, naming the option', () => {
    const call = () => convertCall({ prompt: hello, providerOptions: { failsoft: { priority: 'now' } } });
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow('providerOptions.failsoft.priority: must be "interactive" or "batch" (got "now")');
  });

  it("passes the abort signal on as the call's cancellation signal", () => {
    const controller = new AbortController();
    expect(convertCall({ prompt: hello, abortSignal: controller.signal }).options.signal).toBe(controller.signal);
  });
});

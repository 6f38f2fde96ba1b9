/**
 * An AI SDK call (LanguageModelV4CallOptions) as a failsoft request plus per-call options. Settings failsoft
 * has no place for are reported as the AI SDK's `unsupported` warnings, never dropped in silence.
 */
import {
  InvalidArgumentError,
  type LanguageModelV4CallOptions,
  type LanguageModelV4ToolChoice,
  type SharedV4Warning,
} from '@ai-sdk/provider';
import type { Priority } from '../engine/config/resolve-config.js';
import type { CallOptions } from '../engine/results.js';
import type { GenerateRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../model/message.js';
import { convertPrompt } from './convert-prompt.js';

/** What one AI SDK call becomes: the request for `ai.generate`/`ai.stream`, its options, and the warnings. */
export interface ConvertedCall {
  request: GenerateRequest;
  options: CallOptions;
  warnings: SharedV4Warning[];
}

/** Settings of the spec that failsoft's request has no field for (the providers behind it differ on them). */
const UNSUPPORTED_SETTINGS = ['topK', 'presencePenalty', 'frequencyPenalty', 'seed'] as const;

/**
 * Converts one call. `providerOptions.failsoft.priority` (`interactive` | `batch`) sets the rate-budget
 * priority, as `CallOptions.priority` does for `ai.generate`; other providers' options are not for failsoft.
 * @example convertCall({ prompt, maxOutputTokens: 200, abortSignal }).request.maxOutputTokens // 200
 */
export function convertCall(call: LanguageModelV4CallOptions): ConvertedCall {
  const warnings: SharedV4Warning[] = [];
  const request: GenerateRequest = { messages: convertPrompt(call.prompt, warnings) };
  if (call.maxOutputTokens !== undefined) request.maxOutputTokens = call.maxOutputTokens;
  if (call.temperature !== undefined) request.temperature = call.temperature;
  if (call.topP !== undefined) request.topP = call.topP;
  if (call.stopSequences !== undefined && call.stopSequences.length > 0) request.stopSequences = call.stopSequences;
  for (const setting of UNSUPPORTED_SETTINGS) {
    if (call[setting] !== undefined)
      warnings.push({ type: 'unsupported', feature: setting, details: 'failsoft does not pass it to providers' });
  }
  if (call.reasoning !== undefined && call.reasoning !== 'provider-default') {
    warnings.push({
      type: 'unsupported',
      feature: 'reasoning',
      details: 'failsoft does not set reasoning effort; each model uses its default',
    });
  }
  if (call.includeRawChunks)
    warnings.push({
      type: 'unsupported',
      feature: 'includeRawChunks',
      details: 'failsoft streams canonical events, not raw provider chunks',
    });
  const tools = convertTools(call.tools, warnings);
  if (tools.length > 0) request.tools = tools;
  if (call.toolChoice !== undefined && tools.length > 0) request.toolChoice = convertToolChoice(call.toolChoice);
  const format = convertResponseFormat(call.responseFormat);
  if (format) request.responseFormat = format;
  const options: CallOptions = {};
  if (call.abortSignal) options.signal = call.abortSignal;
  const priority = readPriority(call.providerOptions, warnings);
  if (priority) options.priority = priority;
  return { request, options, warnings };
}

function convertTools(tools: LanguageModelV4CallOptions['tools'], warnings: SharedV4Warning[]): ToolDefinition[] {
  const out: ToolDefinition[] = [];
  for (const tool of tools ?? []) {
    if (tool.type !== 'function') {
      warnings.push({
        type: 'unsupported',
        feature: `provider tool ${tool.id}`,
        details: `tool "${tool.name}" left out: failsoft routes across providers, so it sends function tools only`,
      });
      continue;
    }
    if (tool.inputExamples !== undefined && tool.inputExamples.length > 0) {
      warnings.push({
        type: 'unsupported',
        feature: 'tool inputExamples',
        details: `tool "${tool.name}": examples are not sent (addToolInputExamplesMiddleware puts them in the description)`,
      });
    }
    out.push({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: schemaObject(tool.inputSchema, `tools.${tool.name}.inputSchema`),
    });
  }
  return out;
}

function convertToolChoice(choice: LanguageModelV4ToolChoice): ToolChoice {
  return choice.type === 'tool' ? { type: 'tool', name: choice.toolName } : choice.type;
}

function convertResponseFormat(format: LanguageModelV4CallOptions['responseFormat']): ResponseFormat | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  return {
    type: 'json',
    ...(format.schema === undefined ? {} : { schema: schemaObject(format.schema, 'responseFormat.schema') }),
    ...(format.name === undefined ? {} : { name: format.name }),
    ...(format.description === undefined ? {} : { description: format.description }),
  };
}

/** A JSON Schema as the plain object failsoft's request holds. */
function schemaObject(schema: unknown, argument: string): Record<string, unknown> {
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema)) return schema as Record<string, unknown>;
  throw new InvalidArgumentError({
    argument,
    message: `${argument}: a JSON Schema must be an object (got ${Array.isArray(schema) ? 'an array' : typeof schema})`,
  });
}

function readPriority(
  providerOptions: LanguageModelV4CallOptions['providerOptions'],
  warnings: SharedV4Warning[],
): Priority | undefined {
  const own = providerOptions?.['failsoft'];
  if (own === undefined) return undefined;
  for (const key of Object.keys(own)) {
    if (key !== 'priority')
      warnings.push({
        type: 'unsupported',
        feature: `providerOptions.failsoft.${key}`,
        details: 'failsoft reads only priority',
      });
  }
  const priority = own['priority'];
  if (priority === undefined) return undefined;
  if (priority === 'interactive' || priority === 'batch') return priority;
  throw new InvalidArgumentError({
    argument: 'providerOptions.failsoft.priority',
    message: `providerOptions.failsoft.priority: must be "interactive" or "batch" (got ${JSON.stringify(priority)})`,
  });
}

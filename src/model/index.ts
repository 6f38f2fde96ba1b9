/** The canonical contracts every layer speaks: requests, responses, stream events, errors, time. */
export * from './message.js';
export * from './response.js';
export * from './stream-event.js';
export * from './errors.js';
export * from './clock.js';
export * from './cancel-signal.js';
export { FakeClock } from './fake-clock.js';
export * from './token-estimate.js';
export * from './validation.js';
export * from './random.js';

import { describeCharge } from '../lib/raw-call.js';

export async function pay(amount) {
  return { amount, label: await describeCharge(amount) };
}

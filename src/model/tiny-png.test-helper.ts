/** A real 1 × 1 red PNG, base64: the smallest image every validator and provider accepts. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';

/** The same PNG's bytes. */
export const TINY_PNG_BYTES: Uint8Array = new Uint8Array(Buffer.from(TINY_PNG_BASE64, 'base64'));

// @ts-nocheck: a fixture project for the audit, resolved with its own tsconfig.json, not the repository's.
import { welcome } from '@acme/app/mailer';

export const signup = (email: string): Promise<string> => welcome(email);

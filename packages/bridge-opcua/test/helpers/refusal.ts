import { isOpcuaBridgeError, type OpcuaBridgeError } from '../../src/errors.js';

/** The OpcuaBridgeError `work` rejects with; anything else (or no rejection) fails the test. */
export async function refusal(work: Promise<unknown>): Promise<OpcuaBridgeError> {
  try {
    await work;
  } catch (err) {
    if (isOpcuaBridgeError(err)) return err;
    throw err;
  }
  throw new Error('expected the work to be refused');
}

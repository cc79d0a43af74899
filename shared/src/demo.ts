import { z } from 'zod';

/**
 * What `npm start`'s server hands its demo simulator (a separate process, a device like any other):
 * where to connect, the simulator device key, and the account that opens the sessions. Written by the
 * server with mode 0600 beside the database; never used outside the demo.
 */
export const demoDeviceFileSchema = z.strictObject({
  url: z.url(),
  deviceKey: z.string().min(1),
  /** The training host's simulator key (it simulates the training runs). */
  trainingHostKey: z.string().min(1).optional(),
  user: z.string().min(1),
  /** The documented demo password of that account (README): the file is the demo's, mode 0600. */
  password: z.string().min(1),
});
export type DemoDeviceFile = z.infer<typeof demoDeviceFileSchema>;

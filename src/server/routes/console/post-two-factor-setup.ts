/**
 * `POST /console/api/2fa/setup`: a new pending TOTP secret for enrolment, as text, as an otpauth:// URL and as a
 * QR code (an SVG data URL, drawn on the server so no third party ever sees the secret). 2FA stays off until
 * `2fa/enable` confirms a code. This is the one response that carries the TOTP secret.
 */
import type { RouteOptions } from 'fastify';
import QRCode from 'qrcode';

import { beginTwoFactorSetup } from '../../../console/two-factor-service.ts';
import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

/** The enrolment answer: the one response that carries the TOTP secret. */
export const twoFactorSetupSchema = {
  type: 'object',
  required: ['secret', 'otpauthUrl', 'qrCode'],
  additionalProperties: false,
  properties: {
    secret: { type: 'string', description: 'Base32 TOTP secret, for typing into an authenticator' },
    otpauthUrl: { type: 'string' },
    qrCode: { type: 'string', description: 'data:image/svg+xml;base64,... QR code of otpauthUrl' },
  },
} as const;

export function postTwoFactorSetupRoute({ db }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/2fa/setup',
    schema: {
      summary: 'Start two-factor enrolment',
      tags: ['Console'],
      response: {
        200: twoFactorSetupSchema,
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const setup = await beginTwoFactorSetup(db, user.id);
      const svg = await QRCode.toString(setup.otpauthUrl, {
        type: 'svg',
        errorCorrectionLevel: 'M',
        margin: 2,
      });
      return { ...setup, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
    },
  });
}

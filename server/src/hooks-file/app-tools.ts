/** `app.logger`, `app.settings()`, `app.sendMail(…)` and the error classes (`app.BadRequestError` …). */
import type { Settings } from '../admin/settings-model.ts';
import { sendAppMail } from '../auth/mail-templates.ts';
import { HOOK_ERROR_CLASSES } from '../hooks/hook-errors.ts';
import type { Logger } from '../lib/log.ts';
import type { MailAddress } from '../lib/mail.ts';
import type { AppPart } from './hooks-app.ts';

export interface HooksMail {
  to: string | MailAddress | Array<string | MailAddress>;
  subject: string;
  html: string;
  text?: string;
  /** default: the settings' sender */
  from?: string | MailAddress;
}

declare module './hooks-app.ts' {
  interface HooksApp {
    readonly logger: Logger;
    settings(): Settings;
    sendMail(message: HooksMail): Promise<void>;
    readonly ApiError: (typeof HOOK_ERROR_CLASSES)['ApiError'];
    readonly BadRequestError: (typeof HOOK_ERROR_CLASSES)['BadRequestError'];
    readonly UnauthorizedError: (typeof HOOK_ERROR_CLASSES)['UnauthorizedError'];
    readonly ForbiddenError: (typeof HOOK_ERROR_CLASSES)['ForbiddenError'];
    readonly NotFoundError: (typeof HOOK_ERROR_CLASSES)['NotFoundError'];
    readonly TooManyRequestsError: (typeof HOOK_ERROR_CLASSES)['TooManyRequestsError'];
    readonly ValidationError: (typeof HOOK_ERROR_CLASSES)['ValidationError'];
  }
}

const address = (a: string | MailAddress): MailAddress => (typeof a === 'string' ? { address: a } : a);

export const toolsAppPart: AppPart = ({ core }) => ({
  logger: core.log,
  settings: () => core.settings.current(),
  async sendMail(message: HooksMail) {
    const meta = core.settings.current().meta;
    await sendAppMail(core, {
      from: message.from ? address(message.from) : { address: meta.senderAddress, name: meta.senderName },
      to: (Array.isArray(message.to) ? message.to : [message.to]).map(address),
      subject: message.subject,
      html: message.html,
      ...(message.text !== undefined ? { text: message.text } : {}),
    });
  },
  ...HOOK_ERROR_CLASSES,
});

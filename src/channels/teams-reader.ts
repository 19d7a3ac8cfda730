import type { ChannelReader } from '../bot/guide-bot';
import { cardSubmitValue, isInstallOrAdded, readLocale, textWithoutMentions } from './teams';

/**
 * How the turn loop reads any activity. Teams' rules are a superset of Web Chat's and the
 * Emulator's (mentions, clientInfo locale, messageBack values), so one reader serves every channel.
 */
export const teamsReader: ChannelReader = {
  locale: readLocale,
  text: textWithoutMentions,
  value: cardSubmitValue,
  isWelcome: isInstallOrAdded,
};

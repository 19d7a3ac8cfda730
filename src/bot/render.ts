import type { Command, GuideContext, StepMeta } from '../../dialogs/setup';
import type { KnownErrorId, Locale, MatchResult } from '../../dialogs/types';
import type { ContentBlock, GuideContent } from '../i18n/guide-content';
import type { Languages } from '../i18n/languages';
import type { Strings } from '../i18n/strings';
import type { ButtonData, Notice } from '../understanding/turn-meaning';
import type { KnownErrorCatalog } from '../understanding/known-error-catalog';
import { caseSummary, formatCaseSummary } from './case-summary';

export interface Button {
  label: string;
  data: ButtonData;
}

/** One bot reply, independent of the channel: Markdown text, answer buttons, and the always-there controls. */
export interface Reply {
  locale: Locale;
  step: string;
  markdown: string;
  choices: Button[];
  controls: Button[];
  /** Label of the "More" button that folds the rarely used controls in a card (src/bot/reply-activity.ts). */
  moreLabel: string;
}

/**
 * A heading or question in bold, unless it already marks its own labels bold ("Do you see
 * **Reactivate**?"): Markdown cannot nest bold, and wrapping it again breaks both.
 */
const bold = (text: string): string => (text.includes('**') ? text : `**${text}**`);

export class Renderer {
  /** Content blocks as Markdown, per locale and ref: the content does not change after boot. */
  private readonly blocks = new Map<string, string>();
  /**
   * Buttons, per locale, step and answer: the same object every time, frozen, so that the card
   * built for a button once (src/bot/card.ts) can be reused for it.
   */
  private readonly buttons = new Map<string, Button>();

  constructor(
    private readonly strings: Strings,
    private readonly content: GuideContent,
    private readonly errors: KnownErrorCatalog,
  ) {}

  /** The languages this renderer has strings for. */
  get languages(): Languages {
    return this.strings.languages;
  }

  /**
   * The step's reply in the conversation's language, or in `locale` when given (the agent console
   * shows the English beside the customer's; the case summary still names the customer's language).
   */
  reply(meta: StepMeta, context: GuideContext, notices: readonly Notice[], locale: Locale = context.locale): Reply {
    const t = (key: string) => this.strings.t(locale, key);
    // A notice's content block that the step shows anyway is said once, with the step.
    const shownByStep = new Set(meta.content ?? []);
    const offered = notices.flatMap((n) => [
      ...(n.options ?? []).map((data) => this.offeredButton(data, meta, locale)),
      ...(n.offer === 'languages' ? this.languageButtons(context.locale) : []),
    ]);
    const sentence = (n: Notice) => {
      if (!n.options) return t(n.key);
      const [a, b] = n.options.map((data) => this.offeredButton(data, meta, locale).label);
      return this.strings.t(locale, n.key, { a, b });
    };
    const parts = [
      ...notices.flatMap((n) => [sentence(n), ...(n.content ?? []).filter((ref) => !shownByStep.has(ref)).map((ref) => this.block(locale, ref))]),
      ...(meta.content ?? []).map((ref) => this.block(locale, ref)),
      ...this.dynamicText(meta, context, locale),
      // "Which of these…?" or, for one candidate, "Is this…?" (i18next's plural forms).
      bold(meta.dynamic === 'error-candidates' ? this.strings.t(locale, meta.ask, { count: context.candidates.length }) : t(meta.ask)),
    ];
    return {
      locale,
      step: meta.step,
      markdown: parts.filter(Boolean).join('\n\n'),
      choices: [...offered, ...this.choices(meta, context, locale).filter((b) => !offered.includes(b))],
      controls: this.controls(meta, context, locale).filter((b) => !offered.includes(b)),
      moreLabel: t('common:control.more'),
    };
  }

  /** A stand-alone notice, for replies that are not a step (storage outage, errors). */
  notice(locale: Locale, key: string): string {
    return this.strings.t(locale, key);
  }

  /** A content block as Markdown: title, intro text, numbered steps, then the "read more" line. */
  block(locale: Locale, ref: string): string {
    const id = `${locale}\u0000${ref}`;
    let markdown = this.blocks.get(id);
    if (markdown === undefined) this.blocks.set(id, (markdown = this.blockMarkdown(locale, ref)));
    return markdown;
  }

  private blockMarkdown(locale: Locale, ref: string): string {
    const block: ContentBlock | undefined = this.content.block(locale, ref);
    if (!block) throw new Error(`content/${locale}/guide.json has no block "${ref}"`);
    return [
      block.title && bold(block.title),
      block.text,
      block.steps?.map((s, i) => `${i + 1}. ${s}`).join('\n'),
      block.more,
    ]
      .filter(Boolean)
      .join('\n\n');
  }

  private dynamicText(meta: StepMeta, context: GuideContext, locale: Locale): string[] {
    switch (meta.dynamic) {
      case 'error-fix': {
        if (!context.errorId) return [];
        const title = this.strings.t(locale, 'knownError:fixTitle', { title: this.errors.title(context.errorId, locale) });
        const steps = this.errors.fix(context.errorId, locale).map((s, i) => `${i + 1}. ${s}`);
        const links = this.errors.links(context.errorId, locale).map((l) => `[${l.label}](${l.url})`);
        const more = links.length ? `${this.strings.t(locale, 'knownError:readMore')} ${links.join(', ')}` : '';
        return [bold(title), steps.join('\n'), more];
      }
      case 'case-summary':
        return [formatCaseSummary(caseSummary(context, 'escalated'), this.strings, locale, { errors: this.errors })];
      default:
        return [];
    }
  }

  private choices(meta: StepMeta, context: GuideContext, locale: Locale): Button[] {
    const errorButton = (id: KnownErrorId): Button =>
      this.button(`${locale}|${meta.step}|error|${id}`, () => ({ label: this.errors.title(id, locale), data: { ag: 'error', id, step: meta.step } }));
    const dynamic =
      meta.dynamic === 'error-candidates'
        ? context.candidates.map(errorButton)
        : meta.dynamic === 'common-errors'
          ? this.errors.common().map(errorButton)
          : [];
    const fixed = meta.choices.map((choice) =>
      this.button(`${locale}|${meta.step}|choice|${choice}`, () => ({
        label: this.strings.t(locale, `common:choice.${choice}`),
        data: { ag: 'choice', choice, step: meta.step },
      })),
    );
    return [...dynamic, ...fixed];
  }

  /** A button a notice offers: the step's own answer button, or a command's. */
  private offeredButton(data: ButtonData, meta: StepMeta, locale: Locale): Button {
    if (data.ag === 'choice') {
      return this.button(`${locale}|${meta.step}|choice|${data.choice}`, () => ({
        label: this.strings.t(locale, `common:choice.${data.choice}`),
        data: { ag: 'choice', choice: data.choice, step: meta.step },
      }));
    }
    if (data.ag === 'topic') {
      return this.button(`${locale}|${meta.step}|topic|${data.opening}`, () => ({
        label: this.strings.t(locale, `common:choice.${data.opening}`),
        data: { ag: 'topic', opening: data.opening, step: meta.step },
      }));
    }
    if (data.ag === 'command') {
      return this.button(`${locale}|command|${data.command}`, () => ({ label: this.strings.t(locale, `common:choice.${data.command}`), data }));
    }
    if (data.ag === 'language') return this.languageButton(data.locale);
    return this.button(`${locale}|${meta.step}|error|${data.id}`, () => ({ label: this.errors.title(data.id, locale), data: { ag: 'error', id: data.id, step: meta.step } }));
  }

  /**
   * The language picker: one button per language besides the conversation's, each labelled with
   * the language's own name (people look for their language in their language), in the table's order.
   */
  private languageButtons(current: Locale): Button[] {
    return this.languages.tags.filter((tag) => tag !== current).map((tag) => this.languageButton(tag));
  }

  private languageButton(tag: Locale): Button {
    return this.button(`language|${tag}`, () => ({ label: this.languages.name(tag, tag), data: { ag: 'language', locale: tag } }));
  }

  /** Back, start over, a person and the language picker: the moves that work at every step. */
  private controls(meta: StepMeta, context: GuideContext, locale: Locale): Button[] {
    const control = (command: Exclude<Command, 'HELP'>) =>
      this.button(`${locale}|command|${command}`, () => ({ label: this.strings.t(locale, `common:choice.${command}`), data: { ag: 'command', command } }));
    const offered = new Set(meta.choices);
    const controls: Button[] = [];
    if (context.trail.length >= 2) controls.push(control('BACK'));
    if (meta.step !== 'start' && !offered.has('START_OVER')) controls.push(control('START_OVER'));
    if (!meta.outcome && !offered.has('AGENT')) controls.push(control('AGENT'));
    controls.push(control('LANGUAGE'));
    return controls;
  }

  private button(id: string, make: () => Button): Button {
    let button = this.buttons.get(id);
    if (!button) {
      button = make();
      Object.freeze(button.data);
      this.buttons.set(id, Object.freeze(button));
    }
    return button;
  }
}

import type { ActionsBlockElement, ContextBlockElement, KnownBlock, SectionBlock, TextObject } from '@slack/types';
import { BLOCKS } from '../ids.js';
import { ELLIPSIS, truncate } from '../mrkdwn.js';
import type { SlackMessage } from './slack-message.js';

/**
 * Slack's documented Block Kit limits for messages (reference/slack.md §5), plus our own budgets: the total text is
 * kept to 11,000 characters because `msg_blocks_too_long` has been seen near 12–13k, below every documented limit,
 * and the fallback `text` is kept short although Slack only truncates it at 40,000.
 */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  blockId: 255,
  actionId: 255,
  contextElements: 10,
  /** Not documented for context elements; the section field limit, to be safe. */
  contextText: 2000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  markdownText: 12_000,
  /** Budget for all visible text in the blocks (Slack's undocumented cumulative limit is about 12,000). */
  totalText: 11_000,
  /** Our cap on the fallback `text`. */
  fallbackText: 3000,
} as const;

export interface MessageMeasure {
  blocks: number;
  /** Longest section `text`. */
  maxSectionText: number;
  maxSectionFields: number;
  maxFieldText: number;
  maxHeaderText: number;
  maxContextElements: number;
  maxContextText: number;
  maxActionsElements: number;
  maxButtonText: number;
  maxButtonValue: number;
  /** Longest `block_id` or `action_id`. */
  maxId: number;
  /** All visible text in the blocks: section texts and fields, headers, context texts, button texts, markdown. */
  totalText: number;
  fallbackText: number;
  /** Text objects with empty (or blank) text, which Slack rejects. */
  emptyTexts: number;
}

interface Slot {
  readonly value: string;
  set(value: string): void;
}

function textSlot(object: TextObject): Slot {
  return {
    get value() {
      return object.text;
    },
    set(value: string) {
      object.text = value;
    },
  };
}

function isText(element: ContextBlockElement): element is TextObject {
  return element.type === 'plain_text' || element.type === 'mrkdwn';
}

/** Every visible text of the blocks, in order, as something that can be read and replaced. */
function textSlots(blocks: readonly KnownBlock[]): Slot[] {
  const slots: Slot[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'section':
        if (block.text) slots.push(textSlot(block.text));
        for (const field of block.fields ?? []) slots.push(textSlot(field));
        if (block.accessory?.type === 'button') slots.push(textSlot(block.accessory.text));
        break;
      case 'header':
        slots.push(textSlot(block.text));
        break;
      case 'context':
        for (const element of block.elements) if (isText(element)) slots.push(textSlot(element));
        break;
      case 'actions':
        for (const element of block.elements) if (element.type === 'button') slots.push(textSlot(element.text));
        break;
      case 'markdown':
        slots.push({
          get value() {
            return block.text;
          },
          set(value: string) {
            block.text = value;
          },
        });
        break;
      default:
        break;
    }
  }
  return slots;
}

function nonEmpty(text: string, fallback = ELLIPSIS): string {
  return text.trim() === '' ? fallback : text;
}

function fitObject(object: TextObject, max: number, fallback?: string): void {
  object.text = nonEmpty(truncate(object.text, max), fallback);
}

function capId(id: string | undefined, max: number): string | undefined {
  return id === undefined ? undefined : id.slice(0, max);
}

/** Caps one interactive element; null when it cannot be sent as is (a value too long would corrupt the run id). */
function capElement(element: ActionsBlockElement): ActionsBlockElement | null {
  if (element.action_id !== undefined) element.action_id = capId(element.action_id, LIMITS.actionId) as string;
  if (element.type !== 'button') return element;
  if (element.value !== undefined && element.value.length > LIMITS.buttonValue) return null;
  if (element.url !== undefined && element.url.length > LIMITS.buttonUrl) delete element.url;
  fitObject(element.text, LIMITS.buttonText, 'Open');
  return element;
}

/** Caps one block in place to the per-block limits; null when nothing sendable is left. */
function capBlock(block: KnownBlock): KnownBlock | null {
  if (block.block_id !== undefined) block.block_id = capId(block.block_id, LIMITS.blockId) as string;
  switch (block.type) {
    case 'section': {
      const section: SectionBlock = block;
      if (section.fields) {
        section.fields = section.fields.slice(0, LIMITS.sectionFields);
        for (const field of section.fields) fitObject(field, LIMITS.sectionFieldText);
        if (section.fields.length === 0) delete section.fields;
      }
      if (section.text) fitObject(section.text, LIMITS.sectionText);
      else if (!section.fields) section.text = { type: 'mrkdwn', text: ELLIPSIS };
      if (section.accessory?.type === 'button' && !capElement(section.accessory)) delete section.accessory;
      return section;
    }
    case 'header':
      fitObject(block.text, LIMITS.headerText, 'Triage');
      return block;
    case 'context': {
      let elements = block.elements;
      if (elements.length > LIMITS.contextElements) {
        const rest = elements.slice(LIMITS.contextElements - 1).filter(isText);
        const merged = rest.map((e) => e.text).join(' · ');
        elements = elements.slice(0, LIMITS.contextElements - 1);
        if (merged) elements.push({ type: 'mrkdwn', text: merged });
      }
      for (const element of elements) if (isText(element)) fitObject(element, LIMITS.contextText);
      block.elements = elements;
      return elements.length ? block : null;
    }
    case 'actions': {
      block.elements = block.elements
        .slice(0, LIMITS.actionsElements)
        .map(capElement)
        .filter((e): e is ActionsBlockElement => e !== null);
      return block.elements.length ? block : null;
    }
    case 'markdown':
      block.text = nonEmpty(truncate(block.text, LIMITS.markdownText));
      return block;
    default:
      return block;
  }
}

/** Folds blocks past the limit into one `… N more` section, keeping the actions blocks (the buttons) last. */
function foldBlocks(blocks: KnownBlock[], more: (count: number) => string): KnownBlock[] {
  if (blocks.length <= LIMITS.blocks) return blocks;
  const pinned = blocks.filter((b) => b.type === 'actions').slice(0, 5);
  const rest = blocks.filter((b) => b.type !== 'actions');
  const keep = LIMITS.blocks - 1 - pinned.length;
  const folded = rest.length - keep;
  const section: SectionBlock = {
    type: 'section',
    block_id: BLOCKS.more,
    text: { type: 'mrkdwn', text: more(folded), verbatim: true },
  };
  return [...rest.slice(0, keep), section, ...pinned];
}

/** Truncates the longest texts first until all of them fit in `budget` characters. */
function fitBudget(blocks: readonly KnownBlock[], budget: number): void {
  const slots = textSlots(blocks);
  const lengths = slots.map((s) => s.value.length);
  const sumCapped = (cap: number) => lengths.reduce((sum, l) => sum + Math.min(l, cap), 0);
  if (sumCapped(Number.POSITIVE_INFINITY) <= budget) return;
  let lo = 1;
  let hi = Math.max(1, ...lengths);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sumCapped(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  for (const slot of slots) if (slot.value.length > lo) slot.set(nonEmpty(truncate(slot.value, lo)));
}

function firstText(blocks: readonly KnownBlock[]): string {
  return textSlots(blocks).find((s) => s.value.trim() !== '')?.value ?? 'Triage';
}

export interface EnforceOptions {
  /** The text of the section that replaces blocks past the limit. */
  more?: (count: number) => string;
}

/**
 * Makes a message fit Slack's limits, as the last step of every renderer: per-block caps (section 3000, header 150,
 * ids 255, buttons 75, context ≤ 10 elements, fields ≤ 10), at most 50 blocks (the rest folded into a `… N more`
 * section), at most 11,000 characters of text in all (longest texts cut first), and a non-empty fallback `text` of
 * at most 3000 characters. Texts are cut with `truncate`, which never breaks an entity, a link or a surrogate pair.
 * The input is not modified.
 */
export function enforceLimits(message: SlackMessage, options: EnforceOptions = {}): SlackMessage {
  const more = options.more ?? ((count: number) => `_${ELLIPSIS} ${count} more_`);
  const capped = structuredClone(message.blocks)
    .map(capBlock)
    .filter((b): b is KnownBlock => b !== null);
  const blocks = foldBlocks(capped, more);
  fitBudget(blocks, LIMITS.totalText);
  const text = truncate(nonEmpty(message.text, firstText(blocks)), LIMITS.fallbackText);
  return { text: nonEmpty(text, 'Triage'), blocks };
}

/** Counts what the limits are about, for tests and logs. */
export function measureMessage(message: SlackMessage): MessageMeasure {
  const m: MessageMeasure = {
    blocks: message.blocks.length,
    maxSectionText: 0,
    maxSectionFields: 0,
    maxFieldText: 0,
    maxHeaderText: 0,
    maxContextElements: 0,
    maxContextText: 0,
    maxActionsElements: 0,
    maxButtonText: 0,
    maxButtonValue: 0,
    maxId: 0,
    totalText: 0,
    fallbackText: message.text.length,
    emptyTexts: 0,
  };
  const id = (value: string | undefined) => {
    m.maxId = Math.max(m.maxId, value?.length ?? 0);
  };
  const button = (element: ActionsBlockElement) => {
    id(element.action_id);
    if (element.type !== 'button') return;
    m.maxButtonText = Math.max(m.maxButtonText, element.text.text.length);
    m.maxButtonValue = Math.max(m.maxButtonValue, element.value?.length ?? 0);
  };
  for (const block of message.blocks) {
    id(block.block_id);
    switch (block.type) {
      case 'section':
        m.maxSectionText = Math.max(m.maxSectionText, block.text?.text.length ?? 0);
        m.maxSectionFields = Math.max(m.maxSectionFields, block.fields?.length ?? 0);
        for (const f of block.fields ?? []) m.maxFieldText = Math.max(m.maxFieldText, f.text.length);
        if (block.accessory?.type === 'button') button(block.accessory);
        break;
      case 'header':
        m.maxHeaderText = Math.max(m.maxHeaderText, block.text.text.length);
        break;
      case 'context':
        m.maxContextElements = Math.max(m.maxContextElements, block.elements.length);
        for (const e of block.elements) if (isText(e)) m.maxContextText = Math.max(m.maxContextText, e.text.length);
        break;
      case 'actions':
        m.maxActionsElements = Math.max(m.maxActionsElements, block.elements.length);
        for (const e of block.elements) button(e);
        break;
      default:
        break;
    }
  }
  for (const slot of textSlots(message.blocks)) {
    m.totalText += slot.value.length;
    if (slot.value.trim() === '') m.emptyTexts++;
  }
  return m;
}

/** The limits a message breaks, in words (empty when it is fine to send). */
export function limitViolations(message: SlackMessage): string[] {
  const m = measureMessage(message);
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  check(m.blocks <= LIMITS.blocks, `${m.blocks} blocks > ${LIMITS.blocks}`);
  check(m.maxSectionText <= LIMITS.sectionText, `section text ${m.maxSectionText} > ${LIMITS.sectionText}`);
  check(m.maxSectionFields <= LIMITS.sectionFields, `${m.maxSectionFields} fields > ${LIMITS.sectionFields}`);
  check(m.maxFieldText <= LIMITS.sectionFieldText, `field text ${m.maxFieldText} > ${LIMITS.sectionFieldText}`);
  check(m.maxHeaderText <= LIMITS.headerText, `header ${m.maxHeaderText} > ${LIMITS.headerText}`);
  check(m.maxContextElements <= LIMITS.contextElements, `${m.maxContextElements} context elements`);
  check(m.maxContextText <= LIMITS.contextText, `context text ${m.maxContextText} > ${LIMITS.contextText}`);
  check(m.maxActionsElements <= LIMITS.actionsElements, `${m.maxActionsElements} actions elements`);
  check(m.maxButtonText <= LIMITS.buttonText, `button text ${m.maxButtonText} > ${LIMITS.buttonText}`);
  check(m.maxButtonValue <= LIMITS.buttonValue, `button value ${m.maxButtonValue} > ${LIMITS.buttonValue}`);
  check(m.maxId <= LIMITS.blockId, `id ${m.maxId} > ${LIMITS.blockId}`);
  check(m.totalText <= LIMITS.totalText, `total text ${m.totalText} > ${LIMITS.totalText}`);
  check(m.fallbackText > 0 && m.fallbackText <= LIMITS.fallbackText, `fallback text length ${m.fallbackText}`);
  check(m.emptyTexts === 0, `${m.emptyTexts} empty texts`);
  return out;
}

/**
 * The chat-addressed send/forward/copy methods of Bot API 10.1, each with the
 * position of `chat_id` among its positional (required) parameters. Derived at
 * development time from `src/gen/spec.ts` (methods named send*, forward*, copy* whose
 * required parameters include `chat_id`); `tests/delegation/sender_test.ts` checks this
 * list against those facts, so a new Bot API version that adds one fails the test
 * until it is listed here. Kept as data so nothing imports the spec at run time.
 * @module
 */

/**
 * Method name -> index of `chat_id` among its positional parameters.
 * @internal
 */
export const SENDER_METHODS = {
  sendMessage: 0,
  forwardMessage: 0,
  forwardMessages: 0,
  copyMessage: 0,
  copyMessages: 0,
  sendPhoto: 0,
  sendLivePhoto: 0,
  sendAudio: 0,
  sendDocument: 0,
  sendVideo: 0,
  sendAnimation: 0,
  sendVoice: 0,
  sendVideoNote: 0,
  sendPaidMedia: 0,
  sendMediaGroup: 0,
  sendLocation: 0,
  sendVenue: 0,
  sendContact: 0,
  sendPoll: 0,
  sendChecklist: 1,
  sendDice: 0,
  sendMessageDraft: 0,
  sendChatAction: 0,
  sendSticker: 0,
  sendRichMessage: 0,
  sendRichMessageDraft: 0,
  sendInvoice: 0,
  sendGame: 0,
} as const;

/**
 * A method a Sender binds to its chat.
 * @internal
 */
export type SenderMethodName = keyof typeof SENDER_METHODS;

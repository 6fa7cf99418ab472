import { describe, expect, it } from '@jest/globals';
import { parseChatEventsPayload } from './chat-events.payload.js';

describe('parseChatEventsPayload', () => {
  it('reads new-message and deleted-chat entries', () => {
    expect(parseChatEventsPayload('{"messages":[[1,"alice",10,12],[2,"bob",13,13]]}')).toEqual({
      messages: [
        { chatId: 1, userId: 'alice', firstId: 10, lastId: 12 },
        { chatId: 2, userId: 'bob', firstId: 13, lastId: 13 },
      ],
      deleted: [],
    });
    expect(parseChatEventsPayload('{"deleted":[[3,"carol"]]}')).toEqual({ messages: [], deleted: [{ chatId: 3, userId: 'carol' }] });
  });

  it('drops malformed payloads and entries instead of throwing', () => {
    expect(parseChatEventsPayload('not json')).toEqual({ messages: [], deleted: [] });
    expect(parseChatEventsPayload('null')).toEqual({ messages: [], deleted: [] });
    expect(parseChatEventsPayload('{"messages":[[1,2,3,4],["1","a",1,1],[0,"a",1,1],[1,"a",1.5,2]],"deleted":[[1],{"id":2}]}')).toEqual({
      messages: [],
      deleted: [],
    });
  });
});

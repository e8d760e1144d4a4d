// Plain JSON values, as stored in the store's JSON columns and sent in messages.
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

-- Full-text search over messages.text. External content: the text lives once, in messages;
-- ingestion writes the index rows itself (no triggers), only for lines that have text.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  text,
  content = 'messages',
  content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2'
);

import GRDB

extension Store {
    /// The schema, one migration per change; a database of any earlier version is brought up to date when opened.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: conversations, messages, search, tabs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE conversation (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        botId TEXT NOT NULL,
                        botName TEXT NOT NULL,
                        title TEXT NOT NULL DEFAULT '',
                        systemPrompt TEXT,
                        temperature REAL,
                        createdAt REAL NOT NULL,
                        updatedAt REAL NOT NULL
                    );
                    CREATE INDEX conversation_by_bot ON conversation(botName, updatedAt);
                    CREATE INDEX conversation_by_activity ON conversation(updatedAt);

                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        conversationId INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
                        role TEXT NOT NULL,
                        content TEXT NOT NULL,
                        state TEXT NOT NULL,
                        error TEXT,
                        citations TEXT,
                        createdAt REAL NOT NULL
                    );
                    CREATE INDEX message_by_conversation ON message(conversationId, id);
                    CREATE INDEX message_streaming ON message(state) WHERE state = 'streaming';

                    CREATE VIRTUAL TABLE message_fts USING fts5(
                        content, content='message', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
                    );
                    CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
                        INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
                    END;
                    CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
                        INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
                    END;
                    CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
                        INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
                        INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
                    END;

                    CREATE TABLE openTab (
                        position INTEGER PRIMARY KEY,
                        conversationId INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
                        selected INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
        migrator.registerMigration("v2: model per conversation, token usage per message") { db in
            try db.execute(
                sql: """
                    ALTER TABLE conversation ADD COLUMN model TEXT;
                    ALTER TABLE message ADD COLUMN promptTokens INTEGER;
                    ALTER TABLE message ADD COLUMN completionTokens INTEGER;
                    ALTER TABLE message ADD COLUMN totalTokens INTEGER;
                    """)
        }
        migrator.registerMigration("v3: search indexes finished messages only; streaming replies have an owner") { db in
            // A reply being written is indexed once, when it ends, instead of on every flush.
            // Rows left streaming by a crash are marked first, so the index is rebuilt from
            // finished rows alone and no row is indexed twice.
            try db.execute(
                sql: """
                    UPDATE message SET state = 'interrupted', error = COALESCE(error, 'tinytalk stopped before the reply finished')
                        WHERE state = 'streaming';
                    ALTER TABLE message ADD COLUMN owner TEXT;
                    DROP TRIGGER message_fts_insert;
                    DROP TRIGGER message_fts_delete;
                    DROP TRIGGER message_fts_update;
                    CREATE TRIGGER message_fts_insert AFTER INSERT ON message WHEN new.state != 'streaming' BEGIN
                        INSERT INTO message_fts(rowid, content) VALUES (new.id, new.content);
                    END;
                    CREATE TRIGGER message_fts_delete AFTER DELETE ON message WHEN old.state != 'streaming' BEGIN
                        INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.id, old.content);
                    END;
                    CREATE TRIGGER message_fts_update AFTER UPDATE OF content, state ON message BEGIN
                        INSERT INTO message_fts(message_fts, rowid, content) SELECT 'delete', old.id, old.content WHERE old.state != 'streaming';
                        INSERT INTO message_fts(rowid, content) SELECT new.id, new.content WHERE new.state != 'streaming';
                    END;
                    INSERT INTO message_fts(message_fts) VALUES ('delete-all');
                    INSERT INTO message_fts(rowid, content) SELECT id, content FROM message WHERE state != 'streaming';
                    """)
        }
        migrator.registerMigration("v4: forks, and the variants of a reply asked again") { db in
            // forkedFrom: the conversation a fork was copied from (kept when that one is
            // deleted). answers: the user message a reply answers, shared by its variants;
            // hidden: a variant not chosen (neither shown nor sent as context).
            try db.execute(
                sql: """
                    ALTER TABLE conversation ADD COLUMN forkedFrom INTEGER;
                    ALTER TABLE message ADD COLUMN answers INTEGER;
                    ALTER TABLE message ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX message_variants ON message(answers) WHERE answers IS NOT NULL;

                    CREATE VIRTUAL TABLE conversation_fts USING fts5(
                        title, content='conversation', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
                    );
                    CREATE TRIGGER conversation_fts_insert AFTER INSERT ON conversation BEGIN
                        INSERT INTO conversation_fts(rowid, title) VALUES (new.id, new.title);
                    END;
                    CREATE TRIGGER conversation_fts_delete AFTER DELETE ON conversation BEGIN
                        INSERT INTO conversation_fts(conversation_fts, rowid, title) VALUES ('delete', old.id, old.title);
                    END;
                    CREATE TRIGGER conversation_fts_update AFTER UPDATE OF title ON conversation BEGIN
                        INSERT INTO conversation_fts(conversation_fts, rowid, title) VALUES ('delete', old.id, old.title);
                        INSERT INTO conversation_fts(rowid, title) VALUES (new.id, new.title);
                    END;
                    INSERT INTO conversation_fts(rowid, title) SELECT id, title FROM conversation;
                    """)
        }
        migrator.registerMigration("v5: split panes; who has a conversation open") { db in
            // pane: the tab's place among the panes on screen (NULL: not in one); stacked: the
            // panes are one above the other (the same on every row in a pane).
            // conversationOwner: the process (its owner mark, see Store.owner) that has a
            // conversation open for writing; it counts while that process's lock is held.
            try db.execute(
                sql: """
                    ALTER TABLE openTab ADD COLUMN pane INTEGER;
                    ALTER TABLE openTab ADD COLUMN stacked INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE conversationOwner (
                        conversationId INTEGER PRIMARY KEY REFERENCES conversation(id) ON DELETE CASCADE,
                        owner TEXT NOT NULL
                    );
                    """)
        }
        return migrator
    }

}

package io.pgmux.session;

import io.netty.buffer.ByteBuf;

/**
 * PostgreSQL's lexical structure of SQL text, read once, byte by byte: where each statement of a simple Query
 * begins and ends, which tokens it is made of, and which {@link SqlWord}s occur in it.
 *
 * <p>The rules are those of the server's lexer (PostgreSQL docs, "Lexical Structure"): white space is space, tab,
 * newline, carriage return and form feed; {@code --} comments run to the end of the line and {@code /* ... *&#47;}
 * comments nest; {@code '...'} strings double a quote to contain one, and treat backslash as an escape when they
 * are {@code E'...'} strings or when standard_conforming_strings is off ({@code B'...'} and {@code X'...'} never do);
 * {@code "..."} identifiers double a quote; {@code $tag$...$tag$} strings end only at their own tag, and
 * {@code $1} is a parameter; a {@code $} inside an identifier is part of it. A semicolon outside all of these ends
 * a statement, except inside parentheses (the actions of {@code CREATE RULE}) and inside the
 * {@code BEGIN ATOMIC ... END} body of {@code CREATE [OR REPLACE] FUNCTION | PROCEDURE} (the server's grammar
 * has no other body with semicolons; its CASE ... END expressions are counted, as psql counts them). Bytes from
 * 0x80 up are letters, as for the server with any ASCII-compatible client encoding.
 *
 * <p>One instance lexes one text at a time, on one thread. Without a {@link Sink} it allocates nothing: it only
 * notes which words begin a statement ({@link #firstWords()}) and which occur anywhere ({@link #words()}), which
 * is all the forward path needs to let ordinary queries pass. A word is an unquoted identifier or keyword
 * (compared ignoring ASCII case) or a quoted identifier (compared exactly); words inside literals and comments
 * do not count.
 */
final class SqlLexer {
    /** The kinds of token reported to a {@link Sink}. */
    enum Token {
        /** An unquoted identifier or keyword, or a number. */
        WORD,
        QUOTED_IDENTIFIER,
        /** A string constant without backslash escapes, prefix and quotes included. */
        STRING,
        /** A string constant in which backslash escapes (E'...', or any '...' with standard_conforming_strings off). */
        ESCAPE_STRING,
        DOLLAR_STRING,
        /** {@code $} and digits. */
        PARAMETER,
        /** Any other single character: operators come as one token per character. */
        SYMBOL
    }

    /** Receives the tokens and statements of a text, in order, as positions in the lexed buffer. */
    interface Sink {
        void token(Token kind, int start, int end);

        /** A statement from the start of its first token to the end of its last: no ';', comments or white space. */
        void statement(int start, int end);
    }

    // Byte classes.
    private static final byte OTHER = 0;
    private static final byte SPACE = 1;
    private static final byte LETTER = 2;
    private static final byte DIGIT = 3;
    private static final byte QUOTE = 4;
    private static final byte DOUBLE_QUOTE = 5;
    private static final byte DOLLAR = 6;
    private static final byte DASH = 7;
    private static final byte SLASH = 8;
    private static final byte OPEN_PAREN = 9;
    private static final byte CLOSE_PAREN = 10;
    private static final byte SEMICOLON = 11;
    private static final byte[] CLASS = new byte[256];
    private static final int[] LOWER = new int[256];

    static {
        for (int b = 0; b < 256; b++) {
            LOWER[b] = b >= 'A' && b <= 'Z' ? b + 32 : b;
            CLASS[b] = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || b >= 0x80 ? LETTER
                    : b >= '0' && b <= '9' ? DIGIT : OTHER;
        }
        for (char c : new char[] {' ', '\t', '\n', '\r', '\f'}) {
            CLASS[c] = SPACE;
        }
        CLASS['\''] = QUOTE;
        CLASS['"'] = DOUBLE_QUOTE;
        CLASS['$'] = DOLLAR;
        CLASS['-'] = DASH;
        CLASS['/'] = SLASH;
        CLASS['('] = OPEN_PAREN;
        CLASS[')'] = CLOSE_PAREN;
        CLASS[';'] = SEMICOLON;
    }

    // Lexer states: what the bytes read so far leave open.
    private static final int BETWEEN = 0;
    private static final int IN_WORD = 1;
    private static final int AFTER_DASH = 2;
    private static final int AFTER_SLASH = 3;
    private static final int LINE_COMMENT = 4;
    private static final int BLOCK_COMMENT = 5;
    private static final int BLOCK_COMMENT_STAR = 6;
    private static final int BLOCK_COMMENT_SLASH = 7;
    private static final int IN_STRING = 8;
    private static final int STRING_QUOTE = 9;
    private static final int IN_ESCAPE_STRING = 10;
    private static final int ESCAPE_STRING_BACKSLASH = 11;
    private static final int ESCAPE_STRING_QUOTE = 12;
    private static final int IN_QUOTED = 13;
    private static final int QUOTED_QUOTE = 14;
    private static final int DOLLAR_TAG = 15;
    private static final int DOLLAR_BODY = 16;
    private static final int DOLLAR_CLOSE = 17;
    private static final int IN_PARAMETER = 18;

    // How far the head of a statement is from CREATE [OR REPLACE] FUNCTION | PROCEDURE.
    private static final int HEAD_START = 0;
    private static final int HEAD_CREATE = 1;
    private static final int HEAD_CREATE_OR = 2;
    private static final int HEAD_CREATE_OR_REPLACE = 3;
    private static final int HEAD_ROUTINE = 4;
    private static final int HEAD_OTHER = 5;

    /** Open-addressing table of the words' hashes; a slot holds a word or null. */
    private static final int TABLE_MASK = 127;
    private static final int[] TABLE_HASH = new int[TABLE_MASK + 1];
    private static final SqlWord[] TABLE_WORD = new SqlWord[TABLE_MASK + 1];

    static {
        for (SqlWord word : SqlWord.values()) {
            int hash = 0;
            for (byte b : word.text()) {
                hash = 31 * hash + b;
            }
            int slot = slot(hash);
            while (TABLE_WORD[slot] != null) {
                slot = (slot + 1) & TABLE_MASK;
            }
            TABLE_WORD[slot] = word;
            TABLE_HASH[slot] = hash;
        }
    }

    private ByteBuf buf;
    private Sink sink;
    private boolean standardConformingStrings;
    /** Index in {@link #buf} of the byte being read. */
    private int pos;
    private int state;

    private int tokenStart;
    /** The word being read: its hash (31-based, over lower-cased ASCII; exact bytes for quoted identifiers). */
    private int hash;
    private boolean wordIsNumber;
    private boolean wordStartsStatement;
    /** A doubled quote inside the quoted identifier being read: it can be none of the words. */
    private boolean quotedHasEscape;
    /** A one-letter word (e, b or x) that may prefix a string constant right after it, and where it began. */
    private int prefix;
    private int prefixStart;
    private int commentDepth;
    private int dollarTagStart;
    private int dollarTagLength;
    private int dollarTagMatched;

    private int parenDepth;
    private int beginDepth;
    private int head;
    /** The token before the current one was the word BEGIN: an ATOMIC now opens a routine body. */
    private boolean afterBegin;
    /** Where the current statement's first token began; -1 while it has none. */
    private int statementStart;
    private int lastTokenEnd;

    private int statements;
    private long firstWords;
    private long words;

    /**
     * Lexes {@code buf} at {@code [start, end)}, reporting to {@code sink} (null for none). The buffer's indexes
     * do not move; it is not retained after the call.
     *
     * @param standardConformingStrings the session's standard_conforming_strings: whether backslash is an
     *     ordinary character in {@code '...'} strings
     * @return this, to read the results
     */
    SqlLexer lex(ByteBuf buf, int start, int end, boolean standardConformingStrings, Sink sink) {
        this.buf = buf;
        this.sink = sink;
        this.standardConformingStrings = standardConformingStrings;
        pos = start;
        state = BETWEEN;
        prefix = 0;
        parenDepth = 0;
        beginDepth = 0;
        head = HEAD_START;
        afterBegin = false;
        statementStart = -1;
        statements = 0;
        firstWords = 0;
        words = 0;
        try {
            read(start, end);
            finish(end);
        } finally {
            this.buf = null;
            this.sink = null;
        }
        return this;
    }

    /** How many statements the text holds (white space and comments alone make none). */
    int statements() {
        return statements;
    }

    /** The {@link SqlWord#bit()}s of the words that are the first token of some statement. */
    long firstWords() {
        return firstWords;
    }

    /** The {@link SqlWord#bit()}s of the words that occur anywhere outside literals and comments. */
    long words() {
        return words;
    }

    /**
     * Reads the bytes, eight per {@code getLong} (one bounds check per eight bytes rather than a call per byte).
     * Most bytes of ordinary SQL continue a word or are white space between tokens: those take the short way,
     * with the position and the word's hash in locals, and only the bytes where a token starts or ends go
     * through {@link #step}.
     */
    private void read(int start, int end) {
        int p = pos;
        int h = hash;
        int i = start;
        while (i < end) {
            long bytes;
            int count;
            if (i + Long.BYTES <= end) {
                bytes = buf.getLong(i);
                count = Long.BYTES;
            } else {
                bytes = (buf.getByte(i) & 0xffL) << 56;
                count = 1;
            }
            i += count;
            for (int k = 0; k < count; k++, bytes <<= 8) {
                int b = (int) (bytes >>> 56);
                byte c = CLASS[b];
                if (state == IN_WORD) {
                    if (c == LETTER || c == DIGIT || (c == DOLLAR && !wordIsNumber)) {
                        h = 31 * h + LOWER[b];
                        p++;
                        continue;
                    }
                    if (c == SPACE) {
                        pos = p;
                        hash = h;
                        endWord();
                        if (prefix == 0) {
                            p++;
                            continue;
                        }
                        // A one-letter word that may prefix a string: the full way decides.
                        step(b);
                        p = pos + 1;
                        h = hash;
                        continue;
                    }
                } else if (state == BETWEEN && prefix == 0) {
                    if (c == SPACE) {
                        p++;
                        continue;
                    }
                    if (c == LETTER) {
                        pos = p;
                        wordStartsStatement = beginToken(p);
                        wordIsNumber = false;
                        h = LOWER[b];
                        state = IN_WORD;
                        p++;
                        continue;
                    }
                }
                pos = p;
                hash = h;
                step(b);
                p = pos + 1;
                h = hash;
            }
        }
        pos = p;
        hash = h;
    }

    private void step(int b) {
        switch (state) {
            case BETWEEN:
                between(b);
                return;
            case IN_WORD: {
                byte c = CLASS[b];
                if (c == LETTER || c == DIGIT || (c == DOLLAR && !wordIsNumber)) {
                    hash = 31 * hash + LOWER[b];
                    return;
                }
                endWord();
                between(b);
                return;
            }
            case AFTER_DASH:
                if (b == '-') {
                    state = LINE_COMMENT;
                    return;
                }
                symbol(pos - 1);
                between(b);
                return;
            case AFTER_SLASH:
                if (b == '*') {
                    commentDepth = 1;
                    state = BLOCK_COMMENT;
                    return;
                }
                symbol(pos - 1);
                between(b);
                return;
            case LINE_COMMENT:
                if (b == '\n' || b == '\r') {
                    state = BETWEEN;
                }
                return;
            case BLOCK_COMMENT:
                if (b == '*') {
                    state = BLOCK_COMMENT_STAR;
                } else if (b == '/') {
                    state = BLOCK_COMMENT_SLASH;
                }
                return;
            case BLOCK_COMMENT_STAR:
                if (b == '/') {
                    state = --commentDepth == 0 ? BETWEEN : BLOCK_COMMENT;
                } else if (b != '*') {
                    state = BLOCK_COMMENT;
                }
                return;
            case BLOCK_COMMENT_SLASH:
                if (b == '*') {
                    commentDepth++;
                    state = BLOCK_COMMENT;
                } else if (b != '/') {
                    state = BLOCK_COMMENT;
                }
                return;
            case IN_STRING:
                if (b == '\'') {
                    state = STRING_QUOTE;
                }
                return;
            case STRING_QUOTE:
                if (b == '\'') {
                    state = IN_STRING;
                    return;
                }
                endToken(Token.STRING);
                between(b);
                return;
            case IN_ESCAPE_STRING:
                if (b == '\\') {
                    state = ESCAPE_STRING_BACKSLASH;
                } else if (b == '\'') {
                    state = ESCAPE_STRING_QUOTE;
                }
                return;
            case ESCAPE_STRING_BACKSLASH:
                state = IN_ESCAPE_STRING;
                return;
            case ESCAPE_STRING_QUOTE:
                if (b == '\'') {
                    state = IN_ESCAPE_STRING;
                    return;
                }
                endToken(Token.ESCAPE_STRING);
                between(b);
                return;
            case IN_QUOTED:
                if (b == '"') {
                    state = QUOTED_QUOTE;
                } else {
                    hash = 31 * hash + b;
                }
                return;
            case QUOTED_QUOTE:
                if (b == '"') {
                    quotedHasEscape = true;
                    state = IN_QUOTED;
                    return;
                }
                endQuoted();
                between(b);
                return;
            case DOLLAR_TAG:
                dollarTag(b);
                return;
            case DOLLAR_BODY:
                if (b == '$') {
                    dollarTagMatched = 0;
                    state = DOLLAR_CLOSE;
                }
                return;
            case DOLLAR_CLOSE:
                dollarClose(b);
                return;
            case IN_PARAMETER:
                if (CLASS[b] != DIGIT) {
                    endToken(Token.PARAMETER);
                    between(b);
                }
                return;
            default:
                throw new IllegalStateException("lexer state " + state);
        }
    }

    /** A byte outside any token, or the one right after a token. */
    private void between(int b) {
        int stringPrefix = prefix;
        if (stringPrefix != 0) {
            prefix = 0;
            if (CLASS[b] != QUOTE) {
                emit(Token.WORD, prefixStart, prefixStart + 1);
            }
        }
        switch (CLASS[b]) {
            case SPACE:
                return;
            case LETTER:
                startWord(b, false);
                return;
            case DIGIT:
                startWord(b, true);
                return;
            case QUOTE:
                startString(stringPrefix);
                return;
            case DOUBLE_QUOTE:
                beginToken(pos);
                hash = 0;
                quotedHasEscape = false;
                state = IN_QUOTED;
                return;
            case DOLLAR:
                beginToken(pos);
                dollarTagStart = pos + 1;
                dollarTagLength = 0;
                hash = 0;
                state = DOLLAR_TAG;
                return;
            case DASH:
                state = AFTER_DASH;
                return;
            case SLASH:
                state = AFTER_SLASH;
                return;
            case OPEN_PAREN:
                symbol(pos);
                parenDepth++;
                return;
            case CLOSE_PAREN:
                symbol(pos);
                if (parenDepth > 0) {
                    parenDepth--;
                }
                return;
            case SEMICOLON:
                if (parenDepth == 0 && beginDepth == 0) {
                    endStatement();
                } else {
                    symbol(pos);
                }
                return;
            default:
                symbol(pos);
        }
    }

    /** Notes that a token starts at {@code start}; returns whether it is its statement's first. */
    private boolean beginToken(int start) {
        tokenStart = start;
        if (statementStart < 0) {
            statementStart = start;
            return true;
        }
        return false;
    }

    private void startWord(int b, boolean number) {
        wordStartsStatement = beginToken(pos);
        wordIsNumber = number;
        hash = LOWER[b];
        state = IN_WORD;
    }

    private void startString(int stringPrefix) {
        if (stringPrefix == 0) {
            beginToken(pos);
        } else {
            tokenStart = prefixStart;
        }
        boolean escapes = stringPrefix == 'e' || (stringPrefix == 0 && !standardConformingStrings);
        state = escapes ? IN_ESCAPE_STRING : IN_STRING;
    }

    private void symbol(int start) {
        afterBegin = false;
        beginToken(start);
        lastTokenEnd = start + 1;
        state = BETWEEN;
        if (sink != null) {
            sink.token(Token.SYMBOL, start, start + 1);
        }
    }

    /** The token that began at {@link #tokenStart} ends before the current byte. */
    private void endToken(Token kind) {
        afterBegin = false;
        lastTokenEnd = pos;
        state = BETWEEN;
        emit(kind, tokenStart, pos);
    }

    private void emit(Token kind, int start, int end) {
        if (sink != null) {
            sink.token(kind, start, end);
        }
    }

    private void endWord() {
        lastTokenEnd = pos;
        state = BETWEEN;
        int length = pos - tokenStart;
        if (wordIsNumber) {
            afterBegin = false;
            emit(Token.WORD, tokenStart, pos);
            return;
        }
        if (length == 1 && (hash == 'e' || hash == 'b' || hash == 'x')) {
            // Maybe the prefix of a string constant: decided by the next byte.
            prefix = hash;
            prefixStart = tokenStart;
            noteWord(null, wordStartsStatement);
            return;
        }
        emit(Token.WORD, tokenStart, pos);
        noteWord(find(hash, tokenStart, length, true), wordStartsStatement);
    }

    private void endQuoted() {
        endToken(Token.QUOTED_IDENTIFIER);
        if (!quotedHasEscape) {
            SqlWord word = find(hash, tokenStart + 1, pos - tokenStart - 2, false);
            if (word != null) {
                words |= word.bit();
            }
        }
    }

    private void noteWord(SqlWord word, boolean first) {
        if (word != null) {
            words |= word.bit();
            if (first) {
                firstWords |= word.bit();
            }
        }
        switch (head) {
            case HEAD_START:
                head = word == SqlWord.CREATE ? HEAD_CREATE : HEAD_OTHER;
                return;
            case HEAD_CREATE:
                head = word == SqlWord.OR ? HEAD_CREATE_OR
                        : word == SqlWord.FUNCTION || word == SqlWord.PROCEDURE ? HEAD_ROUTINE : HEAD_OTHER;
                return;
            case HEAD_CREATE_OR:
                head = word == SqlWord.REPLACE ? HEAD_CREATE_OR_REPLACE : HEAD_OTHER;
                return;
            case HEAD_CREATE_OR_REPLACE:
                head = word == SqlWord.FUNCTION || word == SqlWord.PROCEDURE ? HEAD_ROUTINE : HEAD_OTHER;
                return;
            case HEAD_ROUTINE:
                if (parenDepth == 0) {
                    if (word == SqlWord.ATOMIC && afterBegin) {
                        beginDepth++;
                    } else if (word == SqlWord.CASE && beginDepth > 0) {
                        beginDepth++;
                    } else if (word == SqlWord.END && beginDepth > 0) {
                        beginDepth--;
                    }
                }
                afterBegin = word == SqlWord.BEGIN;
                return;
            default:
        }
    }

    private void dollarTag(int b) {
        byte c = CLASS[b];
        if (dollarTagLength == 0 && c == DIGIT) {
            state = IN_PARAMETER;
            return;
        }
        if (b == '$') {
            state = DOLLAR_BODY;
            return;
        }
        if (c == LETTER || (c == DIGIT && dollarTagLength > 0)) {
            dollarTagLength++;
            hash = 31 * hash + LOWER[b];
            return;
        }
        failedDollarTag();
        between(b);
    }

    /** A {@code $} that starts neither a dollar quote nor a parameter is a character of its own; a word follows. */
    private void failedDollarTag() {
        symbol(tokenStart);
        if (dollarTagLength > 0) {
            tokenStart = dollarTagStart;
            wordIsNumber = false;
            wordStartsStatement = false;
            endWord();
        }
    }

    private void dollarClose(int b) {
        if (dollarTagMatched == dollarTagLength) {
            if (b == '$') {
                lastTokenEnd = pos + 1;
                state = BETWEEN;
                emit(Token.DOLLAR_STRING, tokenStart, pos + 1);
            } else {
                state = DOLLAR_BODY;
            }
            return;
        }
        if (b == (buf.getByte(dollarTagStart + dollarTagMatched) & 0xff)) {
            dollarTagMatched++;
        } else if (b == '$') {
            dollarTagMatched = 0;
        } else {
            state = DOLLAR_BODY;
        }
    }

    private void endStatement() {
        if (statementStart >= 0) {
            statements++;
            if (sink != null) {
                sink.statement(statementStart, lastTokenEnd);
            }
        }
        statementStart = -1;
        head = HEAD_START;
        beginDepth = 0;
        parenDepth = 0;
        afterBegin = false;
    }

    /** The text ends: close what is open (an unterminated literal runs to the end, as the server would say). */
    private void finish(int end) {
        pos = end;
        switch (state) {
            case IN_WORD:
                endWord();
                break;
            case AFTER_DASH:
            case AFTER_SLASH:
                symbol(end - 1);
                break;
            case STRING_QUOTE:
            case IN_STRING:
                endToken(Token.STRING);
                break;
            case ESCAPE_STRING_QUOTE:
            case IN_ESCAPE_STRING:
            case ESCAPE_STRING_BACKSLASH:
                endToken(Token.ESCAPE_STRING);
                break;
            case QUOTED_QUOTE:
            case IN_QUOTED:
                endQuoted();
                break;
            case DOLLAR_TAG:
                failedDollarTag();
                break;
            case DOLLAR_BODY:
            case DOLLAR_CLOSE:
                endToken(Token.DOLLAR_STRING);
                break;
            case IN_PARAMETER:
                endToken(Token.PARAMETER);
                break;
            default:
                break;
        }
        if (prefix != 0) {
            prefix = 0;
            emit(Token.WORD, prefixStart, prefixStart + 1);
        }
        state = BETWEEN;
        endStatement();
    }

    private static int slot(int hash) {
        return (hash ^ (hash >>> 7) ^ (hash >>> 16)) & TABLE_MASK;
    }

    /** The word whose text is at {@code [start, start + length)}, or null; {@code hash} is that text's. */
    private SqlWord find(int hash, int start, int length, boolean foldCase) {
        for (int slot = slot(hash); ; slot = (slot + 1) & TABLE_MASK) {
            SqlWord word = TABLE_WORD[slot];
            if (word == null) {
                return null;
            }
            if (TABLE_HASH[slot] == hash && matches(word.text(), start, length, foldCase)) {
                return word;
            }
        }
    }

    private boolean matches(byte[] text, int start, int length, boolean foldCase) {
        if (text.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            int b = buf.getByte(start + i) & 0xff;
            if ((foldCase ? LOWER[b] : b) != text[i]) {
                return false;
            }
        }
        return true;
    }
}

DROP CONNECTION "never closed;

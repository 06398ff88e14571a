/* Per-endpoint facts learned by probing (key = "base_url model"). */
#ifndef KC_WORKER_LLM_MEMO_H
#define KC_WORKER_LLM_MEMO_H

#define LLM_MEMO_NO_STREAM 0x1
#define LLM_MEMO_NO_TOOLS 0x2

int llm_memo_get(const char *key);
void llm_memo_set(const char *key, int flag);
void llm_memo_reset(void);

#endif

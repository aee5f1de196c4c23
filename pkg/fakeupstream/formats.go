package fakeupstream

import (
	"fmt"
	"strings"
)

func (s *Server) totalText() string { return strings.Repeat(s.opts.Text, s.opts.Chunks) }

func (s *Server) anthropicUsage() string {
	o := s.opts
	return fmt.Sprintf(`{"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,"cache_creation":{"ephemeral_5m_input_tokens":%d,"ephemeral_1h_input_tokens":%d},"output_tokens":%d}`,
		o.InputTokens, o.CacheCreation5m+o.CacheCreation1h, o.CacheRead, o.CacheCreation5m, o.CacheCreation1h, o.OutputTokens)
}

func (s *Server) anthropicJSON() string {
	return fmt.Sprintf(`{"id":"msg_fake","type":"message","role":"assistant","model":"fake","content":[{"type":"text","text":%q}],"stop_reason":"end_turn","stop_sequence":null,"usage":%s}`,
		s.totalText(), s.anthropicUsage())
}

func (s *Server) anthropicEvents() []string {
	o := s.opts
	start := fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_fake","type":"message","role":"assistant","model":"fake","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,"cache_creation":{"ephemeral_5m_input_tokens":%d,"ephemeral_1h_input_tokens":%d},"output_tokens":1}}}`,
		o.InputTokens, o.CacheCreation5m+o.CacheCreation1h, o.CacheRead, o.CacheCreation5m, o.CacheCreation1h)
	ev := []string{
		sse("message_start", start),
		sse("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
		sse("ping", `{"type": "ping"}`),
	}
	for i := 0; i < o.Chunks; i++ {
		ev = append(ev, sse("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%q}}`, o.Text)))
	}
	ev = append(ev,
		sse("content_block_stop", `{"type":"content_block_stop","index":0}`),
		sse("message_delta", fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":%d}}`, o.OutputTokens)),
		sse("message_stop", `{"type":"message_stop"}`),
	)
	return ev
}

func (s *Server) responsesUsage() string {
	o := s.opts
	return fmt.Sprintf(`{"input_tokens":%d,"input_tokens_details":{"cached_tokens":%d},"output_tokens":%d,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":%d}`,
		o.InputTokens+o.CacheRead, o.CacheRead, o.OutputTokens, o.InputTokens+o.CacheRead+o.OutputTokens)
}

func (s *Server) responsesJSON() string {
	return fmt.Sprintf(`{"id":"resp_fake","object":"response","status":"completed","model":"fake","output":[{"id":"msg_fake","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":%q,"annotations":[]}]}],"usage":%s}`,
		s.totalText(), s.responsesUsage())
}

func (s *Server) responsesEvents() []string {
	o := s.opts
	seq := 0
	next := func() int { seq++; return seq }
	ev := []string{
		sse("response.created", fmt.Sprintf(`{"type":"response.created","sequence_number":%d,"response":{"id":"resp_fake","object":"response","status":"in_progress","model":"fake","output":[]}}`, next())),
		sse("response.in_progress", fmt.Sprintf(`{"type":"response.in_progress","sequence_number":%d,"response":{"id":"resp_fake","object":"response","status":"in_progress","model":"fake","output":[]}}`, next())),
		sse("response.output_item.added", fmt.Sprintf(`{"type":"response.output_item.added","sequence_number":%d,"output_index":0,"item":{"id":"msg_fake","type":"message","status":"in_progress","role":"assistant","content":[]}}`, next())),
		sse("response.content_part.added", fmt.Sprintf(`{"type":"response.content_part.added","sequence_number":%d,"item_id":"msg_fake","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}`, next())),
	}
	for i := 0; i < o.Chunks; i++ {
		ev = append(ev, sse("response.output_text.delta", fmt.Sprintf(`{"type":"response.output_text.delta","sequence_number":%d,"item_id":"msg_fake","output_index":0,"content_index":0,"delta":%q}`, next(), o.Text)))
	}
	text := s.totalText()
	ev = append(ev,
		sse("response.output_text.done", fmt.Sprintf(`{"type":"response.output_text.done","sequence_number":%d,"item_id":"msg_fake","output_index":0,"content_index":0,"text":%q}`, next(), text)),
		sse("response.content_part.done", fmt.Sprintf(`{"type":"response.content_part.done","sequence_number":%d,"item_id":"msg_fake","output_index":0,"content_index":0,"part":{"type":"output_text","text":%q,"annotations":[]}}`, next(), text)),
		sse("response.output_item.done", fmt.Sprintf(`{"type":"response.output_item.done","sequence_number":%d,"output_index":0,"item":{"id":"msg_fake","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":%q,"annotations":[]}]}}`, next(), text)),
		sse("response.completed", fmt.Sprintf(`{"type":"response.completed","sequence_number":%d,"response":{"id":"resp_fake","object":"response","status":"completed","model":"fake","output":[{"id":"msg_fake","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":%q,"annotations":[]}]}],"usage":%s}}`, next(), text, s.responsesUsage())),
	)
	return ev
}

func (s *Server) chatUsage() string {
	o := s.opts
	return fmt.Sprintf(`{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,"prompt_tokens_details":{"cached_tokens":%d}}`,
		o.InputTokens+o.CacheRead, o.OutputTokens, o.InputTokens+o.CacheRead+o.OutputTokens, o.CacheRead)
}

func (s *Server) chatJSON() string {
	return fmt.Sprintf(`{"id":"chatcmpl-fake","object":"chat.completion","created":1700000000,"model":"fake","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],"usage":%s}`,
		s.totalText(), s.chatUsage())
}

func (s *Server) chatEvents(includeUsage bool) []string {
	o := s.opts
	chunk := func(delta, finish string) string {
		return fmt.Sprintf(`{"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"fake","choices":[{"index":0,"delta":%s,"finish_reason":%s}]}`, delta, finish)
	}
	ev := []string{data(chunk(`{"role":"assistant","content":""}`, "null"))}
	for i := 0; i < o.Chunks; i++ {
		ev = append(ev, data(chunk(fmt.Sprintf(`{"content":%q}`, o.Text), "null")))
	}
	ev = append(ev, data(chunk(`{}`, `"stop"`)))
	if includeUsage {
		ev = append(ev, data(fmt.Sprintf(`{"id":"chatcmpl-fake","object":"chat.completion.chunk","created":1700000000,"model":"fake","choices":[],"usage":%s}`, s.chatUsage())))
	}
	return append(ev, "data: [DONE]\n\n")
}

func sse(event, payload string) string { return "event: " + event + "\ndata: " + payload + "\n\n" }
func data(payload string) string       { return "data: " + payload + "\n\n" }

"""Requests in the shape Open WebUI 0.12.4 sends them to an OpenAI-compatible connection.

Captured shape (backend `utils/middleware.py` and `routers/tasks.py`, default settings, native tool
calling): each user turn that carried a file starts with an `<attached_files>` text part built by
`add_file_context`, then the typed question, then the image as a data URL; the body carries the
built-in tools (36 with the default features). Task requests (title, tags, follow-ups) are one
text-only user message: the task template with the conversation rendered as `USER: …` /
`ASSISTANT: …` lines inside `<chat_history>`.
"""

from __future__ import annotations

from typing import Any

FILE_ID = "3f9c2a1e-5b7d-4e8a-9c1f-2d6b8a7e4f10"

# Open WebUI's built-in tool names (knowledge, notes, chats, memory, web, images, code, time …); the
# parameters are a plausible minimal schema: visdesk reads none of them.
TOOL_NAMES = (
    "search_web", "fetch_url", "query_knowledge_files", "query_knowledge_bases", "list_knowledge_bases",
    "search_knowledge_bases", "view_knowledge_file", "search_knowledge_files", "view_file", "search_notes",
    "view_note", "write_note", "replace_note_content", "search_chats", "view_chat", "search_memories",
    "add_memory", "replace_memory_content", "delete_memory", "list_memories", "generate_image", "edit_image",
    "execute_code", "get_current_timestamp", "calculate_timestamp", "search_channels", "search_channel_messages",
    "view_channel_message", "view_channel_thread", "list_channels", "view_skill", "list_skills",
    "get_weather", "convert_units", "calculator", "read_attachment",
)  # fmt: skip


def tools() -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": f"Built-in tool {name.replace('_', ' ')}.",
                "parameters": {
                    "type": "object",
                    "properties": {"query": {"type": "string", "description": "What to look for."}},
                    "required": [],
                },
            },
        }
        for name in TOOL_NAMES
    ]


def attached_files(file_id: str, name: str, content_type: str = "image/jpeg") -> str:
    """The block `add_file_context` prepends (one self-closing tag per file, then a blank line)."""
    url = f"/api/v1/files/{file_id}"
    tag = f'<file type="file" id="{file_id}" url="{url}" content_type="{content_type}" name="{name}"/>'
    return f"<attached_files>\n{tag}\n</attached_files>\n\n"


def user_turn(question: str, data_url: str, name: str = "x.jpg", file_id: str = FILE_ID) -> dict[str, Any]:
    return {
        "role": "user",
        "content": [
            {"type": "text", "text": attached_files(file_id, name)},
            {"type": "text", "text": question},
            {"type": "image_url", "image_url": {"url": data_url}},
        ],
    }


def chat_body(*, stream: bool) -> dict[str, Any]:
    """The extra fields Open WebUI adds to a chat turn, besides model and messages."""
    body: dict[str, Any] = {"tools": tools(), "tool_choice": "auto"}
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


TITLE_TEMPLATE = """### Task:
Generate a concise title summarizing the chat history.
### Guidelines:
- The title should clearly represent the main theme or subject of the conversation.
- Keep it short: 2-4 words is best.
- Do not use emojis, quotation marks, or special formatting.
- Write the title in the chat's primary language; default to English if multilingual.
- Your entire response must consist solely of the JSON object, without any introductory or concluding text.
### Output:
JSON format: { "title": "your concise title here" }
### Examples:
- { "title": "Stock Trends" },
- { "title": "Chocolate Chip Cookies" }
### Chat History:
<chat_history>
{history}
</chat_history>"""

TAGS_TEMPLATE = """### Task:
Generate 1-3 broad tags categorizing the main themes of the chat history, along with 1-3 more specific subtopic tags.

### Guidelines:
- Start with high-level domains (e.g. Science, Technology, Philosophy, Arts, Politics, Business, Health)
- If content is too short (less than 3 messages) or too diverse, use only ["General"]
- Use the chat's primary language; default to English if multilingual

### Output:
JSON format: { "tags": ["tag1", "tag2", "tag3"] }

### Chat History:
<chat_history>
{history}
</chat_history>"""

FOLLOW_UPS_TEMPLATE = """### Task:
Suggest 3-5 relevant follow-up questions or prompts that the user might naturally ask next in this conversation as a **user**, based on the chat history, to help continue or deepen the discussion.
### Guidelines:
- Write all follow-up questions from the user's point of view, directed to the assistant.
- Use the conversation's primary language; default to English if multilingual.
- Response must be a JSON object with a "follow_ups" key containing an array of strings, no extra text or formatting.
### Output:
JSON format: { "follow_ups": ["Question 1?", "Question 2?", "Question 3?"] }
### Chat History:
<chat_history>
{history}
</chat_history>"""  # noqa: E501


def task_messages(template: str, turns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """A task request: `turns` rendered the way Open WebUI's get_messages_content does."""
    history = "\n".join(f"{role.upper()}: {text}" for role, text in turns)
    return [{"role": "user", "content": template.replace("{history}", history)}]

"""Configuration: pydantic-settings, env prefix VISDESK_, nested sections with "__".

Examples: VISDESK_ENGINE=remote:http://127.0.0.1:8001/v1, VISDESK_IMAGES__MAX_SIDE=1280,
VISDESK_CACHE__URL=redis://127.0.0.1:6379/0. Every field carries a description because
docs/configuration.md is generated from them and a test checks that each one is documented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MB = 1024 * 1024


class ImageSettings(BaseModel):
    max_upload_bytes: int = Field(20 * MB, description="Largest accepted image upload, in bytes.")
    max_pixels: int = Field(
        60_000_000, description="Largest accepted pixel count (width × height); guards against decompression bombs."
    )
    max_side: int = Field(1024, description="Longest side, in pixels, of the normalised image that engines receive.")
    ocr_max_side: int = Field(
        2048, description="Longest side of the copy OCR reads; larger than max_side so small print stays legible."
    )
    allowed_types: tuple[str, ...] = Field(
        ("image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/heic", "image/heif"),
        description="Media types accepted, sniffed from the bytes (never from the file name or header).",
    )
    max_aspect_ratio: float = Field(
        100.0,
        description="Longest side ÷ shortest side accepted (long screenshot strips are fine; a 3000×2 line is "
        "refused with 400 image_bad_shape). Thin images within it are padded before OCR.",
    )


class OcrSettings(BaseModel):
    det_limit_side_len: int = Field(960, description="RapidOCR detection input: longest side limit, in pixels.")
    use_cls: bool = Field(False, description="Run the text-direction classifier (slower; helps upside-down text).")
    backend: Literal["auto", "openvino", "onnxruntime"] = Field(
        "auto",
        description="OCR inference runtime: 'auto' = OpenVINO when installed (about 2x faster on CPUs "
        "with bf16), else onnxruntime; 'openvino' fails at start when it cannot be used.",
    )
    precision: Literal["auto", "f32", "bf16"] = Field(
        "auto",
        description="OpenVINO inference precision: 'auto' = bf16 where the CPU has it natively, else f32.",
    )
    threads: int = Field(
        2, description="Threads per OCR model run (one request); 0 lets the runtime choose (one per core)."
    )
    rec_workers: int = Field(
        1,
        description="Threads that recognise one image's text lines in parallel, each with `threads` threads "
        "(1 = serial; 2 with threads=1 saves onnxruntime CPU at some latency).",
    )
    min_score: float = Field(0.5, description="Drop recognised lines below this confidence.")
    perception_cache_size: int = Field(256, description="Perceptions (OCR + layout) kept in memory, per image id.")


class KnowledgeSettings(BaseModel):
    dirs: list[Path] = Field(
        default_factory=list, description="Knowledge-base folders to ingest at start; empty means the bundled demo."
    )
    index_path: Path = Field(
        Path("var/kb.sqlite3"), description="SQLite FTS5 index file (rebuilt when the sources change)."
    )
    use_demo: bool = Field(True, description="Ingest the bundled demo shop knowledge base when `dirs` is empty.")
    top_k: int = Field(4, description="Passages retrieved per question.")
    analyzer: Literal["jieba", "trigram"] = Field(
        "jieba", description="Full-text analyzer: 'jieba' (segmented zh + porter en, measured better) or 'trigram'."
    )
    product_match: bool = Field(
        True, description="Match photos against catalog images (ORB features) when no model number is legible."
    )


class CacheSettings(BaseModel):
    url: str = Field(
        "memory://", description="Answer cache: 'memory://' (in-process LRU), 'redis://host:port/db', or 'none'."
    )
    ttl_s: int = Field(3600, description="Time-to-live of cached answers, in seconds.")
    max_entries: int = Field(10_000, description="Entries kept by the in-process cache.")
    redis_timeout_s: float = Field(0.25, description="Redis socket timeout; slower replies count as a miss.")
    key_prefix: str = Field(
        "visdesk:", description="Prefix of every Redis key (several deployments can share one Redis)."
    )
    redis_retry_s: float = Field(
        2.0, description="After a Redis failure, requests skip Redis for this long before trying to reconnect."
    )


class SafetySettings(BaseModel):
    nsfw_enabled: bool = Field(True, description="Classify each image at intake and refuse unsafe ones.")
    nsfw_threshold: float = Field(0.8, description="Refuse images whose NSFW probability is at or above this.")
    max_question_chars: int = Field(2000, description="Longest accepted question, in characters.")
    mask_pii_in_history: bool = Field(False, description="Mask phone, card, ID and e-mail numbers in stored history.")
    api_keys: list[str] = Field(
        default_factory=list, description="Accepted Bearer API keys; empty means the API is open."
    )
    public_docs: bool = Field(
        False,
        description="Serve /docs, /redoc and /openapi.json without a key even when api_keys are set "
        "(by default they need a key then, like the API they describe; without api_keys they are always open).",
    )
    rate_limit_per_minute: int = Field(0, description="Requests per minute per API key (or client IP); 0 = no limit.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS; empty disables CORS.")
    nsfw_threads: int = Field(1, description="onnxruntime threads for the image classifier (0 lets it choose).")
    max_body_bytes: int = Field(
        30 * MB, description="Largest accepted request body (base64 images are ~4/3 of the file)."
    )
    allowed_image_url_prefixes: list[str] = Field(
        default_factory=list,
        description="URL prefixes the server may fetch images from (OpenAI image_url); empty refuses remote URLs.",
    )


class LimitsSettings(BaseModel):
    """Caps on request fields and on slow clients; see docs/operations.md "Input limits"."""

    max_choices: int = Field(64, description="Most labels in a `choices` option.")
    max_choice_chars: int = Field(200, description="Longest label in a `choices` option, in characters.")
    max_regex_chars: int = Field(512, description="Longest `regex` option, in characters.")
    max_schema_bytes: int = Field(
        32_768, description="Largest JSON schema (`response_format`), in bytes of compact JSON."
    )
    max_schema_depth: int = Field(32, description="Deepest nesting of JSON objects and arrays in a JSON schema.")
    max_session_id_chars: int = Field(128, description="Longest accepted `session_id`, in characters.")
    header_timeout_s: float = Field(
        10.0, description="Time a client has to send the request line and headers; then 408 and the connection closes."
    )
    body_timeout_s: float = Field(
        120.0, description="Time a client has to send the whole request body once headers arrived; then 408."
    )


class LoadSettings(BaseModel):
    max_in_flight: int = Field(4, description="Requests processed at once; more wait in the queue.")
    max_queue: int = Field(32, description="Requests allowed to wait; beyond this the level is EXTREME.")
    high_queue_depth: int = Field(4, description="Queue depth at which the level becomes HIGH (fast mode).")
    extreme_queue_depth: int = Field(24, description="Queue depth at which the level becomes EXTREME (canned/503).")
    high_latency_s: float = Field(5.0, description="Recent p50 latency above which the level becomes HIGH.")
    request_timeout_s: float = Field(30.0, description="Per-request deadline; past it the request ends with a timeout.")
    retry_after_s: int = Field(5, description="Retry-After seconds sent with 503 under EXTREME load.")
    latency_window_s: float = Field(
        20.0, description="Recent-latency window: p50 of requests finished in the last this-many seconds sets HIGH."
    )


class HistorySettings(BaseModel):
    database_url: str = Field(
        "sqlite:///var/visdesk.sqlite3",
        description="SQLAlchemy URL for sessions, messages and feedback (SQLite WAL default; postgresql+psycopg://...).",
    )
    store_images: bool = Field(
        False,
        description="Store each session's normalised image (lossless PNG, once per image) so follow-ups "
        "survive restarts and reach other replicas.",
    )
    max_turns: int = Field(6, description="Earlier turns of a session given to the engine as context.")
    pool_size: int = Field(4, ge=1, description="Database connections (and history worker threads) per process.")
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        "FULL",
        description="SQLite fsync policy: FULL fsyncs every commit (survives kill -9 and power loss); "
        "NORMAL (WAL) skips it (survives kill -9, may lose the last answers on power loss; faster).",
    )


class TransformersSettings(BaseModel):
    model: str = Field("zai-org/GLM-4.6V-Flash", description="Model id (local HF cache) or local directory.")
    device: str = Field("auto", description="'auto', 'cpu', 'cuda', 'cuda:1' …")
    dtype: str = Field("auto", description="'auto' (bf16 on CUDA, fp32 on CPU), 'bfloat16', 'float16', 'float32'.")
    quantization: str = Field("none", description="'none', '4bit' or '8bit' (needs bitsandbytes).")
    max_new_tokens: int = Field(512, description="Default answer length limit in quality mode.")
    fast_max_new_tokens: int = Field(128, description="Answer length limit in fast (degraded) mode.")
    num_beams: int = Field(4, description="Beams in quality mode (streaming requests decode greedily).")
    batch_size: int = Field(8, description="Most requests generated together in one batch.")
    batch_wait_ms: float = Field(10.0, description="How long to collect concurrent requests into a batch.")
    enable_thinking: bool = Field(False, description="GLM thinking mode; off for short support answers.")
    keep_reasoning: bool = Field(
        False, description="Return the model's thinking as `reasoning` in the response (never as the answer)."
    )
    attn_implementation: str = Field(
        "sdpa", description="Attention kernel: 'sdpa', 'eager' (needed for attention maps) or 'flash_attention_2'."
    )


class RemoteSettings(BaseModel):
    base_url: str = Field("", description="OpenAI-compatible base URL, e.g. http://vllm:8000/v1.")
    model: str = Field("", description="Model name to request upstream; empty asks the server's /models.")
    api_key: str = Field("", description="Bearer key for the upstream server.")
    connect_timeout_s: float = Field(3.0, description="Upstream connect timeout.")
    read_timeout_s: float = Field(60.0, description="Upstream read timeout (between streamed chunks).")
    retries: int = Field(2, description="Retries on connect errors, with exponential backoff.")
    breaker_failures: int = Field(5, description="Consecutive failures that open the circuit breaker.")
    breaker_reset_s: float = Field(30.0, description="Seconds the breaker stays open before a trial request.")
    retry_backoff_s: float = Field(0.25, description="First retry delay after a connect error; doubles per retry.")
    max_tokens: int = Field(512, description="Answer length limit requested upstream in quality mode.")
    fast_max_tokens: int = Field(128, description="Answer length limit requested upstream in fast (degraded) mode.")
    temperature: float = Field(0.2, description="Sampling temperature in quality mode (fast mode asks for 0).")
    send_grounding: bool = Field(
        True,
        description="Put OCR hints and knowledge passages in the prompt; turn off when the upstream is another "
        "visdesk (it reads the image and its own knowledge base itself).",
    )
    extra_body: dict[str, Any] = Field(
        default_factory=dict,
        description="JSON fields added to every upstream request (server-specific switches); "
        "its chat_template_kwargs are merged over ours.",
    )
    server_kind: Literal["vllm", "sglang", "openai"] = Field(
        "vllm",
        description="How to ask the server for constrained output: 'vllm' (>= 0.12 structured_outputs), "
        "'sglang' (regex / response_format), 'openai' (response_format only). vllm and sglang also get "
        "chat_template_kwargs.enable_thinking.",
    )
    enable_thinking: bool = Field(
        False, description="GLM thinking mode upstream (chat_template_kwargs); off for short support answers."
    )
    keep_reasoning: bool = Field(
        False, description="Return the model's thinking as `reasoning` in the response (never as the answer)."
    )


class ObservabilitySettings(BaseModel):
    log_level: str = Field("INFO", description="Log level.")
    log_json: bool = Field(True, description="One JSON object per log line.")
    log_digest_secret: SecretStr | None = Field(
        None,
        description="HMAC-SHA256 key for the question digest in request log lines (question_hmac); unset: a random "
        "per-process key, so digests match only within one process. Set the same value on every replica to "
        "correlate repeated questions across replicas and restarts.",
    )
    metrics_enabled: bool = Field(True, description="Expose Prometheus metrics at /metrics.")


class Settings(BaseSettings):
    """Top-level settings; read from the environment (VISDESK_*) and an optional .env file."""

    model_config = SettingsConfigDict(env_prefix="VISDESK_", env_nested_delimiter="__", env_file=".env", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the HTTP server binds.")
    port: int = Field(8000, description="Port the HTTP server binds.")
    engine: str = Field(
        "embedded",
        description="Answer engine: 'embedded', 'transformers[:model]', 'remote[:base_url]', or 'auto'.",
    )
    data_dir: Path = Field(Path("var"), description="Folder for the SQLite files and other state.")

    images: ImageSettings = Field(default_factory=ImageSettings, description="Image intake.")
    ocr: OcrSettings = Field(default_factory=OcrSettings, description="OCR.")
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings, description="Knowledge base.")
    cache: CacheSettings = Field(default_factory=CacheSettings, description="Answer cache.")
    safety: SafetySettings = Field(default_factory=SafetySettings, description="Safety, auth and limits.")
    load: LoadSettings = Field(default_factory=LoadSettings, description="Load governor.")
    limits: LimitsSettings = Field(default_factory=LimitsSettings, description="Input limits and client timeouts.")
    history: HistorySettings = Field(default_factory=HistorySettings, description="Sessions and feedback.")
    transformers: TransformersSettings = Field(
        default_factory=TransformersSettings, description="Transformers VLM engine."
    )
    remote: RemoteSettings = Field(default_factory=RemoteSettings, description="Remote OpenAI-compatible engine.")
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings, description="Logs and metrics.")

"""How the web UI looks: its CSS, and Vietnamese for the few words Gradio's own widgets show
(Gradio ships no Vietnamese). Sized for a 1366x768 laptop screen."""

# Gradio's built-in strings, by translation key; used for English and Vietnamese browsers alike
GRADIO_VI = {
    "upload_text.drop_file": "Kéo thả tệp vào đây",
    "upload_text.click_to_upload": "Bấm để chọn tệp",
    "common.or": "hoặc",
    "common.clear": "Xoá",
    "common.remove": "Bỏ",
    "common.loading": "Đang tải",
    "common.download": "Tải về",
    "common.error": "Lỗi",
    "common.submit": "Gửi",
    "common.empty": "Trống",
    "common.edit": "Sửa",
    "common.undo": "Hoàn tác",
    "file.uploading": "Đang tải lên…",
    "status.queue_position": "Đang xếp hàng: thứ {position}/{size}",
    "chatbot.copy_message": "Chép câu trả lời",
    "chatbot.copied_message": "Đã chép",
    "chatbot.clear": "Xoá",
    "login.username": "tên đăng nhập",
    "login.password": "mật khẩu",
    "login.login": "Đăng nhập",
    "login.incorrect_credentials": "Sai tên đăng nhập hoặc mật khẩu",
    "blocks.lost_connection": "Mất kết nối khi rời trang. Đang xếp hàng lại…",
    "blocks.waiting_for_inputs": "Đang chờ tải tệp lên xong, hãy thử lại.",
    "blocks.connection_can_break": "Trên điện thoại, kết nối có thể mất khi chuyển thẻ hoặc tắt màn hình.",
}

CSS = """
.gradio-container .main { padding-top: 4px !important; }
#tc-top { align-items: center; gap: 8px; }
#tc-top > div { min-height: 0; }
#tc-top .tc-muted { color: #6b7280; font-size: 0.9em; }
#tc-status { text-align: right; font-size: 0.9em; }
.tc-dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 6px; }
.tc-ready { background: #16a34a; }
.tc-loading { background: #f59e0b; animation: tc-blink 1s infinite alternate; }
@keyframes tc-blink { from { opacity: 1; } to { opacity: 0.3; } }
#tc-examples button { font-size: 0.82em; padding: 1px 8px; }
#tc-examples { gap: 4px; }
#tc-options { align-items: center; }
#tc-table td, #tc-table th, #tc-table td *, #tc-table th *, #tc-table .virtual-row, #tc-table .virtual-row *,
#tc-duty-table td, #tc-duty-table th, #tc-duty-table td *, #tc-duty-table th *,
#tc-duty-table .virtual-row, #tc-duty-table .virtual-row * {
  font-family: var(--font) !important; }
#tc-duty-filters { align-items: end; }
#tc-duty-find { max-height: 44px; margin-bottom: 10px; }
#tc-duty-bar { align-items: center; }
#tc-duty-summary { flex-grow: 1; }
#tc-plan-log { max-height: calc(100vh - 420px); overflow-y: auto; font-size: 0.9em; }
.tc-panel { max-height: calc(100vh - 300px); min-height: 200px; overflow-y: auto; padding-right: 4px; }
.tc-panel-head { font-weight: 600; margin: 0 0 8px 0; }
.tc-refused .tc-panel-head { color: #b45309; }
.tc-empty { color: #6b7280; }
.tc-card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 10px; margin-bottom: 10px; }
.tc-head { font-weight: 600; font-size: 0.92em; }
.tc-n { color: #1d4ed8; }
.tc-title { color: #6b7280; font-size: 0.8em; margin-top: 2px; display: -webkit-box;
            -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.tc-section { color: #1e3a8a; font-size: 0.85em; margin: 3px 0 6px 0; }
.tc-text { white-space: pre-wrap; font-size: 0.88em; line-height: 1.45; color: #4b5563; }
.tc-text mark { background: #fef08a; color: #111827; padding: 0 1px; }
"""

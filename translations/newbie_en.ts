<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>JobQueue</name>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>Cannot open %1: %2</translation>
    </message>
    <message>
        <source>Cannot create the queue table in %1: %2</source>
        <translation>Cannot create the queue table in %1: %2</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>queued</translation>
    </message>
    <message>
        <source>running</source>
        <translation>running</translation>
    </message>
    <message>
        <source>done</source>
        <translation>done</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelled</translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation>
            <numerusform>%n step</numerusform>
            <numerusform>%n steps</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Worker</name>
    <message>
        <source>Unknown error</source>
        <translation>Unknown error</translation>
    </message>
    <message>
        <source>Out of GPU memory. Try a smaller size, fp16/bf16 precision, or text encoders on CPU / freed after encoding (Settings ▸ Text encoders), then generate again.</source>
        <translation>Out of GPU memory. Try a smaller size, fp16/bf16 precision, or text encoders on CPU / freed after encoding (Settings ▸ Text encoders), then generate again.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Cancelled.</translation>
    </message>
    <message>
        <source>Invalid settings: %1</source>
        <translation>Invalid settings: %1</translation>
    </message>
    <message>
        <source>No model loaded — File ▸ Open model…</source>
        <translation>No model loaded — File ▸ Open model…</translation>
    </message>
    <message>
        <source>Cannot create folder %1</source>
        <translation>Cannot create folder %1</translation>
    </message>
    <message>
        <source>Cannot save the image: %1</source>
        <translation>Cannot save the image: %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>NewBie Studio — anime image generation</source>
        <translation>NewBie Studio — anime image generation</translation>
    </message>
    <message>
        <source>Model folder or ComfyUI file (repeatable).</source>
        <translation>Model folder or ComfyUI file (repeatable).</translation>
    </message>
    <message>
        <source>Language: en or zh_CN.</source>
        <translation>Language: en or zh_CN.</translation>
    </message>
    <message>
        <source>Scripted end-to-end run; screenshots go to DIR.</source>
        <translation>Scripted end-to-end run; screenshots go to DIR.</translation>
    </message>
    <message>
        <source>Debug logging.</source>
        <translation>Debug logging.</translation>
    </message>
    <message>
        <source>Save a screenshot of the window to FILE and quit.</source>
        <translation>Save a screenshot of the window to FILE and quit.</translation>
    </message>
</context>
<context>
    <name>newbie::GpuMonitor</name>
    <message>
        <source>Utilisation %</source>
        <translation>Utilisation %</translation>
    </message>
    <message>
        <source>Memory GB</source>
        <translation>Memory GB</translation>
    </message>
    <message>
        <source>Temperature °C / power W</source>
        <translation>Temperature °C / power W</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>seconds</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>VRAM used</source>
        <translation>VRAM used</translation>
    </message>
    <message>
        <source>RAM used</source>
        <translation>RAM used</translation>
    </message>
    <message>
        <source>this process</source>
        <translation>this process</translation>
    </message>
    <message>
        <source>W</source>
        <translation>W</translation>
    </message>
    <message>
        <source>temperature</source>
        <translation>temperature</translation>
    </message>
    <message>
        <source>power</source>
        <translation>power</translation>
    </message>
    <message>
        <source>Waiting for the first sample…</source>
        <translation>Waiting for the first sample…</translation>
    </message>
    <message>
        <source>No GPU data: %1</source>
        <translation>No GPU data: %1</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 / %2 GB</source>
        <translation>%1 / %2 GB</translation>
    </message>
    <message>
        <source>%1 °C</source>
        <translation>%1 °C</translation>
    </message>
    <message>
        <source>%1 W</source>
        <translation>%1 W</translation>
    </message>
    <message>
        <source>%1 MHz</source>
        <translation>%1 MHz</translation>
    </message>
    <message>
        <source>this process %1 GB</source>
        <translation>this process %1 GB</translation>
    </message>
    <message>
        <source>CPU %1 %</source>
        <translation>CPU %1 %</translation>
    </message>
    <message>
        <source>RAM %1 / %2 GB</source>
        <translation>RAM %1 / %2 GB</translation>
    </message>
    <message>
        <source>No GPU data (%1). Showing CPU and RAM.</source>
        <translation>No GPU data (%1). Showing CPU and RAM.</translation>
    </message>
    <message>
        <source>no NVIDIA GPU</source>
        <translation>no NVIDIA GPU</translation>
    </message>
</context>
<context>
    <name>newbie::JobController</name>
    <message>
        <source>Stopped.</source>
        <translation>Stopped.</translation>
    </message>
    <message>
        <source>Superseded by an edit.</source>
        <translation>Superseded by an edit.</translation>
    </message>
</context>
<context>
    <name>newbie::MainWindow</name>
    <message>
        <source>loading</source>
        <translation>loading</translation>
    </message>
    <message>
        <source>encoding prompt</source>
        <translation>encoding prompt</translation>
    </message>
    <message>
        <source>denoising</source>
        <translation>denoising</translation>
    </message>
    <message>
        <source>decoding</source>
        <translation>decoding</translation>
    </message>
    <message>
        <source>done</source>
        <translation>done</translation>
    </message>
    <message>
        <source>Language changed.</source>
        <translation>Language changed.</translation>
    </message>
    <message>
        <source>No model loaded — File ▸ Open model…</source>
        <translation>No model loaded — File ▸ Open model…</translation>
    </message>
    <message>
        <source>Open model folder</source>
        <translation>Open model folder</translation>
    </message>
    <message>
        <source>Open ComfyUI files</source>
        <translation>Open ComfyUI files</translation>
    </message>
    <message>
        <source>Safetensors (*.safetensors);;All files (*)</source>
        <translation>Safetensors (*.safetensors);;All files (*)</translation>
    </message>
    <message>
        <source>Import PNG parameters</source>
        <translation>Import PNG parameters</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG images (*.png)</translation>
    </message>
    <message>
        <source>About NewBie Studio</source>
        <translation>About NewBie Studio</translation>
    </message>
    <message>
        <source>&lt;b&gt;NewBie Studio&lt;/b&gt; %1&lt;br&gt;A native C++ / LibTorch app for the NewBie-image-Exp0.1 anime image model.</source>
        <translation>&lt;b&gt;NewBie Studio&lt;/b&gt; %1&lt;br&gt;A native C++ / LibTorch app for the NewBie-image-Exp0.1 anime image model.</translation>
    </message>
    <message>
        <source>NewBie Studio</source>
        <translation>NewBie Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>&amp;Generate</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Generate</translation>
    </message>
    <message>
        <source>Queue the prompt (Ctrl+Enter)</source>
        <translation>Queue the prompt (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Generate next</source>
        <translation>Generate next</translation>
    </message>
    <message>
        <source>Put at the front of the queue (Ctrl+Shift+Enter)</source>
        <translation>Put at the front of the queue (Ctrl+Shift+Enter)</translation>
    </message>
    <message>
        <source>Stop now</source>
        <translation>Stop now</translation>
    </message>
    <message>
        <source>Stop the running job at its next step (Esc)</source>
        <translation>Stop the running job at its next step (Esc)</translation>
    </message>
    <message>
        <source>Finish current image</source>
        <translation>Finish current image</translation>
    </message>
    <message>
        <source>Let the running image finish, then pause the queue</source>
        <translation>Let the running image finish, then pause the queue</translation>
    </message>
    <message>
        <source>Cancel queued</source>
        <translation>Cancel queued</translation>
    </message>
    <message>
        <source>Pause queue</source>
        <translation>Pause queue</translation>
    </message>
    <message>
        <source>Supersede</source>
        <translation>Supersede</translation>
    </message>
    <message>
        <source>Editing the prompt cancels the running job from it and queues the edited one</source>
        <translation>Editing the prompt cancels the running job from it and queues the edited one</translation>
    </message>
    <message>
        <source>Search history</source>
        <translation>Search history</translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation>Open model folder…</translation>
    </message>
    <message>
        <source>Open ComfyUI files…</source>
        <translation>Open ComfyUI files…</translation>
    </message>
    <message>
        <source>Import PNG parameters…</source>
        <translation>Import PNG parameters…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>Up</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Down</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>Clear finished</translation>
    </message>
    <message>
        <source>Cancel model loading</source>
        <translation>Cancel model loading</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Queue</translation>
    </message>
    <message>
        <source>GPU monitor</source>
        <translation>GPU monitor</translation>
    </message>
    <message>
        <source>History</source>
        <translation>History</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>Toolbar</source>
        <translation>Toolbar</translation>
    </message>
    <message>
        <source>job #%1</source>
        <translation>job #%1</translation>
    </message>
    <message>
        <source>#%1 · %2</source>
        <translation>#%1 · %2</translation>
    </message>
    <message>
        <source>#%1 done</source>
        <translation>#%1 done</translation>
    </message>
    <message>
        <source>Job #%1 finished in %2 s</source>
        <translation>Job #%1 finished in %2 s</translation>
    </message>
    <message>
        <source>Job #%1 failed:
%2</source>
        <translation>Job #%1 failed:
%2</translation>
    </message>
    <message>
        <source>Job #%1: %2</source>
        <translation>Job #%1: %2</translation>
    </message>
    <message>
        <source>Loading model…</source>
        <translation>Loading model…</translation>
    </message>
    <message>
        <source>The model could not be loaded:
%1

File ▸ Open model…</source>
        <translation>The model could not be loaded:
%1

File ▸ Open model…</translation>
    </message>
    <message>
        <source>Model: loading…</source>
        <translation>Model: loading…</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>No model loaded</translation>
    </message>
    <message>
        <source>Model: demo model — random weights</source>
        <translation>Model: demo model — random weights</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Model: %1</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>Device: %1</translation>
    </message>
    <message>
        <source>Queue: %1</source>
        <translation>Queue: %1</translation>
    </message>
    <message>
        <source>Last step: %1 ms</source>
        <translation>Last step: %1 ms</translation>
    </message>
    <message>
        <source>Last step: —</source>
        <translation>Last step: —</translation>
    </message>
    <message>
        <source>Write a prompt first.</source>
        <translation>Write a prompt first.</translation>
    </message>
    <message>
        <source>The prompt has XML errors (see the underlined spots in the editor); fix them first.</source>
        <translation>The prompt has XML errors (see the underlined spots in the editor); fix them first.</translation>
    </message>
    <message>
        <source>The prompt has XML errors; nothing was queued.</source>
        <translation>The prompt has XML errors; nothing was queued.</translation>
    </message>
    <message>
        <source>Prompt edited: restarted with the new text.</source>
        <translation>Prompt edited: restarted with the new text.</translation>
    </message>
    <message>
        <source>Parameters imported from %1</source>
        <translation>Parameters imported from %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>newbie::PreviewView</name>
    <message>
        <source>Wheel: zoom · drag: pan · double-click: fit</source>
        <translation>Wheel: zoom · drag: pan · double-click: fit</translation>
    </message>
    <message>
        <source>ETA %1 s</source>
        <translation>ETA %1 s</translation>
    </message>
    <message>
        <source>step %1 / %2 · σ %3</source>
        <translation>step %1 / %2 · σ %3</translation>
    </message>
    <message>
        <source>No image yet — write a prompt and press Ctrl+Enter</source>
        <translation>No image yet — write a prompt and press Ctrl+Enter</translation>
    </message>
</context>
<context>
    <name>newbie::SettingsPanel</name>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Precision</translation>
    </message>
    <message>
        <source>On the device</source>
        <translation>On the device</translation>
    </message>
    <message>
        <source>On the CPU</source>
        <translation>On the CPU</translation>
    </message>
    <message>
        <source>Free after encoding</source>
        <translation>Free after encoding</translation>
    </message>
    <message>
        <source>Where Gemma and Jina CLIP live between jobs; CPU or freeing them lets 12–16 GB cards fit.</source>
        <translation>Where Gemma and Jina CLIP live between jobs; CPU or freeing them lets 12–16 GB cards fit.</translation>
    </message>
    <message>
        <source>Text encoders</source>
        <translation>Text encoders</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Steps</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>Sampler</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>Schedule</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>Shift</translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation>CFG scale</translation>
    </message>
    <message>
        <source>CFG is applied while t &lt; this value (1 = always).</source>
        <translation>CFG is applied while t &lt; this value (1 = always).</translation>
    </message>
    <message>
        <source>CFG truncation</source>
        <translation>CFG truncation</translation>
    </message>
    <message>
        <source>Caps the norm of the guided prediction; 0 = off.</source>
        <translation>Caps the norm of the guided prediction; 0 = off.</translation>
    </message>
    <message>
        <source>Renorm</source>
        <translation>Renorm</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>Random</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>Fixed</translation>
    </message>
    <message>
        <source>Increment</source>
        <translation>Increment</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Custom</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>Width × height</source>
        <translation>Width × height</translation>
    </message>
    <message>
        <source>Batch count</source>
        <translation>Batch count</translation>
    </message>
    <message>
        <source>off</source>
        <translation>off</translation>
    </message>
    <message>
        <source>Preview every N steps</source>
        <translation>Preview every N steps</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>Application</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>System default</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>CPU runs use fp32 (bf16 matmul is slow on CPU in LibTorch 1.13)</source>
        <translation>CPU runs use fp32 (bf16 matmul is slow on CPU in LibTorch 1.13)</translation>
    </message>
    <message>
        <source>fp8 (e4m3, CUDA, faster, approximate)</source>
        <translation>fp8 (e4m3, CUDA, faster, approximate)</translation>
    </message>
    <message>
        <source>Width and height must be multiples of 16 (they are rounded down).</source>
        <translation>Width and height must be multiples of 16 (they are rounded down).</translation>
    </message>
    <message>
        <source>Estimated %1 memory: %2 GiB (weights %3 + working %4)</source>
        <translation>Estimated %1 memory: %2 GiB (weights %3 + working %4)</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>VRAM</translation>
    </message>
    <message>
        <source>Warning: more than the %1 GiB free on the GPU — use a smaller size, half precision or text encoders on CPU.</source>
        <translation>Warning: more than the %1 GiB free on the GPU — use a smaller size, half precision or text encoders on CPU.</translation>
    </message>
</context>
<context>
    <name>newbie::ui::CompareView</name>
    <message>
        <source>Compare images</source>
        <translation>Compare images</translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation>Side by side</translation>
    </message>
    <message>
        <source>Slider</source>
        <translation>Slider</translation>
    </message>
    <message>
        <source>View:</source>
        <translation>View:</translation>
    </message>
    <message>
        <source>Only differences</source>
        <translation>Only differences</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Field</translation>
    </message>
    <message>
        <source>Image A</source>
        <translation>Image A</translation>
    </message>
    <message>
        <source>Image B</source>
        <translation>Image B</translation>
    </message>
</context>
<context>
    <name>newbie::ui::HistoryGallery</name>
    <message>
        <source>%1 has no generation parameters</source>
        <translation>%1 has no generation parameters</translation>
    </message>
    <message>
        <source>Search prompts… (field:value, e.g. character_1.clothing:serafuku)</source>
        <translation>Search prompts… (field:value, e.g. character_1.clothing:serafuku)</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>Any time</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>All models</translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation>Favourites</translation>
    </message>
    <message>
        <source>Import PNG…</source>
        <translation>Import PNG…</translation>
    </message>
    <message>
        <source>Load the parameters of a PNG made by NewBie Studio or an A1111-style tool (or drop it here)</source>
        <translation>Load the parameters of a PNG made by NewBie Studio or an A1111-style tool (or drop it here)</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Undo</translation>
    </message>
    <message>
        <source>Import PNG</source>
        <translation>Import PNG</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG images (*.png)</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform>%n images</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete images</source>
        <translation>Delete images</translation>
    </message>
    <message numerus="yes">
        <source>Move %n image(s) to the trash? You can undo this.</source>
        <translation>
            <numerusform>Move %n image to the trash? You can undo this.</numerusform>
            <numerusform>Move %n images to the trash? You can undo this.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n image(s).</source>
        <translation>
            <numerusform>Deleted %n image.</numerusform>
            <numerusform>Deleted %n images.</numerusform>
        </translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation>Reuse all parameters</translation>
    </message>
    <message>
        <source>Reuse prompt only</source>
        <translation>Reuse prompt only</translation>
    </message>
    <message>
        <source>Reuse seed only</source>
        <translation>Reuse seed only</translation>
    </message>
    <message>
        <source>Toggle favourite</source>
        <translation>Toggle favourite</translation>
    </message>
    <message>
        <source>Compare the two selected images</source>
        <translation>Compare the two selected images</translation>
    </message>
    <message>
        <source>Open image folder</source>
        <translation>Open image folder</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Delete…</translation>
    </message>
</context>
<context>
    <name>newbie::ui::HistoryModel</name>
    <message>
        <source>#%1 — %2×%3, seed %4
%5
%6</source>
        <translation>#%1 — %2×%3, seed %4
%5
%6</translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptEditor</name>
    <message>
        <source>&lt;%1&gt; is never closed (missing &lt;/%1&gt;)</source>
        <translation>&lt;%1&gt; is never closed (missing &lt;/%1&gt;)</translation>
    </message>
    <message>
        <source>mismatched closing tag &lt;/%1&gt;: expected &lt;/%2&gt; (opened at %3)</source>
        <translation>mismatched closing tag &lt;/%1&gt;: expected &lt;/%2&gt; (opened at %3)</translation>
    </message>
    <message>
        <source>closing tag &lt;/%1&gt; has no matching opening tag (inside &lt;%2&gt;)</source>
        <translation>closing tag &lt;/%1&gt; has no matching opening tag (inside &lt;%2&gt;)</translation>
    </message>
    <message>
        <source>closing tag &lt;/%1&gt; has no matching opening tag</source>
        <translation>closing tag &lt;/%1&gt; has no matching opening tag</translation>
    </message>
    <message>
        <source>stray &apos;&lt;&apos; (write &amp;lt; if you mean the character)</source>
        <translation>stray &apos;&lt;&apos; (write &amp;lt; if you mean the character)</translation>
    </message>
    <message>
        <source>tag &lt;%1 is missing its closing &apos;&gt;&apos;</source>
        <translation>tag &lt;%1 is missing its closing &apos;&gt;&apos;</translation>
    </message>
    <message>
        <source>malformed closing tag &apos;%1&apos; (expected &lt;/name&gt;)</source>
        <translation>malformed closing tag &apos;%1&apos; (expected &lt;/name&gt;)</translation>
    </message>
    <message>
        <source>unknown entity &apos;%1&apos;</source>
        <translation>unknown entity &apos;%1&apos;</translation>
    </message>
    <message>
        <source>bad entity &apos;%1&apos; (missing &apos;;&apos;)</source>
        <translation>bad entity &apos;%1&apos; (missing &apos;;&apos;)</translation>
    </message>
    <message>
        <source>bad character reference &apos;%1&apos; (expected &amp;#NNN; or &amp;#xHHH;)</source>
        <translation>bad character reference &apos;%1&apos; (expected &amp;#NNN; or &amp;#xHHH;)</translation>
    </message>
    <message>
        <source>bare &apos;&amp;&apos; (write &amp;amp; if you mean the character)</source>
        <translation>bare &apos;&amp;&apos; (write &amp;amp; if you mean the character)</translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; at the top level (it belongs inside &lt;character_N&gt;)</source>
        <translation>unknown tag &lt;%1&gt; at the top level (it belongs inside &lt;character_N&gt;)</translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; at the top level (it belongs inside &lt;general_tags&gt;)</source>
        <translation>unknown tag &lt;%1&gt; at the top level (it belongs inside &lt;general_tags&gt;)</translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; inside &lt;%2&gt;</source>
        <translation>unknown tag &lt;%1&gt; inside &lt;%2&gt;</translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt;</source>
        <translation>unknown tag &lt;%1&gt;</translation>
    </message>
    <message>
        <source>unexpected tag &lt;%1&gt; inside &lt;%2&gt;</source>
        <translation>unexpected tag &lt;%1&gt; inside &lt;%2&gt;</translation>
    </message>
    <message>
        <source>duplicate &lt;%1&gt; in &lt;%2&gt; (first at %3)</source>
        <translation>duplicate &lt;%1&gt; in &lt;%2&gt; (first at %3)</translation>
    </message>
    <message>
        <source>duplicate &lt;%1&gt; (first at %2)</source>
        <translation>duplicate &lt;%1&gt; (first at %2)</translation>
    </message>
    <message>
        <source>&lt;%1&gt; is empty</source>
        <translation>&lt;%1&gt; is empty</translation>
    </message>
    <message>
        <source>character numbering starts at 1 (&lt;character_0&gt;)</source>
        <translation>character numbering starts at 1 (&lt;character_0&gt;)</translation>
    </message>
    <message>
        <source>character numbering gap: &lt;%1&gt; is missing</source>
        <translation>character numbering gap: &lt;%1&gt; is missing</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Templates</translation>
    </message>
    <message>
        <source>Official README example (two characters)</source>
        <translation>Official README example (two characters)</translation>
    </message>
    <message>
        <source>ComfyUI workflow example</source>
        <translation>ComfyUI workflow example</translation>
    </message>
    <message>
        <source>Empty XML schema (Gemma chat)</source>
        <translation>Empty XML schema (Gemma chat)</translation>
    </message>
    <message>
        <source>Character cards</source>
        <translation>Character cards</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Undo</translation>
    </message>
    <message>
        <source>Undo (Ctrl+Z)</source>
        <translation>Undo (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Redo</translation>
    </message>
    <message>
        <source>Redo (Ctrl+Shift+Z)</source>
        <translation>Redo (Ctrl+Shift+Z)</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>System prompt:</translation>
    </message>
    <message>
        <source>Auto (XML or tags)</source>
        <translation>Auto (XML or tags)</translation>
    </message>
    <message>
        <source>XML (official)</source>
        <translation>XML (official)</translation>
    </message>
    <message>
        <source>Tags / natural language (official)</source>
        <translation>Tags / natural language (official)</translation>
    </message>
    <message>
        <source>ComfyUI XML template</source>
        <translation>ComfyUI XML template</translation>
    </message>
    <message>
        <source>LoRA trainer</source>
        <translation>LoRA trainer</translation>
    </message>
    <message>
        <source>Lumina 2</source>
        <translation>Lumina 2</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>Custom…</translation>
    </message>
    <message>
        <source>Text prepended to the prompt for the Gemma encoder only</source>
        <translation>Text prepended to the prompt for the Gemma encoder only</translation>
    </message>
    <message>
        <source>Custom system prompt (sent to Gemma before the prompt)</source>
        <translation>Custom system prompt (sent to Gemma before the prompt)</translation>
    </message>
    <message>
        <source>Raw XML</source>
        <translation>Raw XML</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Gemma tokens (system prompt included); the model reads at most %1</source>
        <translation>Gemma tokens (system prompt included); the model reads at most %1</translation>
    </message>
    <message>
        <source>Negative prompt:</source>
        <translation>Negative prompt:</translation>
    </message>
    <message>
        <source>Empty by default (the model&apos;s own unconditional input)</source>
        <translation>Empty by default (the model&apos;s own unconditional input)</translation>
    </message>
    <message>
        <source>Empty prompt</source>
        <translation>Empty prompt</translation>
    </message>
    <message>
        <source>line %1, column %2</source>
        <translation>line %1, column %2</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warning</translation>
    </message>
    <message>
        <source>(%1 errors, %2 warnings)</source>
        <translation>(%1 errors, %2 warnings)</translation>
    </message>
    <message numerus="yes">
        <source>Valid NewBie XML: %n character(s)</source>
        <translation>
            <numerusform>Valid NewBie XML: %n character</numerusform>
            <numerusform>Valid NewBie XML: %n characters</numerusform>
        </translation>
    </message>
    <message>
        <source>Plain tags / natural language</source>
        <translation>Plain tags / natural language</translation>
    </message>
    <message>
        <source>%1 / %2 — truncated: the model ignores the tokens after %2</source>
        <translation>%1 / %2 — truncated: the model ignores the tokens after %2</translation>
    </message>
    <message>
        <source>No data folder is set</source>
        <translation>No data folder is set</translation>
    </message>
    <message>
        <source>There is no &lt;character_%1&gt; in the prompt</source>
        <translation>There is no &lt;character_%1&gt; in the prompt</translation>
    </message>
    <message>
        <source>Character %1</source>
        <translation>Character %1</translation>
    </message>
    <message>
        <source>Save character card</source>
        <translation>Save character card</translation>
    </message>
    <message>
        <source>Card name:</source>
        <translation>Card name:</translation>
    </message>
    <message>
        <source>Could not save the card: %1</source>
        <translation>Could not save the card: %1</translation>
    </message>
    <message>
        <source>Save &lt;character_%1&gt; as card…</source>
        <translation>Save &lt;character_%1&gt; as card…</translation>
    </message>
    <message>
        <source>(no data folder)</source>
        <translation>(no data folder)</translation>
    </message>
    <message>
        <source>(no saved cards)</source>
        <translation>(no saved cards)</translation>
    </message>
    <message>
        <source>Delete card</source>
        <translation>Delete card</translation>
    </message>
    <message>
        <source>Insert “%1”</source>
        <translation>Insert “%1”</translation>
    </message>
    <message>
        <source>Delete the card “%1”?</source>
        <translation>Delete the card “%1”?</translation>
    </message>
    <message>
        <source>unterminated comment (missing &apos;--&gt;&apos;)</source>
        <translation>unterminated comment (missing &apos;--&gt;&apos;)</translation>
    </message>
    <message>
        <source>unterminated CDATA section (missing &apos;]]&gt;&apos;)</source>
        <translation>unterminated CDATA section (missing &apos;]]&gt;&apos;)</translation>
    </message>
    <message>
        <source>unterminated processing instruction (missing &apos;?&gt;&apos;)</source>
        <translation>unterminated processing instruction (missing &apos;?&gt;&apos;)</translation>
    </message>
    <message>
        <source>unterminated declaration (missing &apos;&gt;&apos;)</source>
        <translation>unterminated declaration (missing &apos;&gt;&apos;)</translation>
    </message>
    <message>
        <source>None (no system prompt)</source>
        <translation>None (no system prompt)</translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptForm</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>Gender</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Appearance</translation>
    </message>
    <message>
        <source>Clothing</source>
        <translation>Clothing</translation>
    </message>
    <message>
        <source>Body type</source>
        <translation>Body type</translation>
    </message>
    <message>
        <source>Expression</source>
        <translation>Expression</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Interaction</source>
        <translation>Interaction</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>Position</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Count</translation>
    </message>
    <message>
        <source>Artists</source>
        <translation>Artists</translation>
    </message>
    <message>
        <source>Style</source>
        <translation>Style</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>Background</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>Environment</translation>
    </message>
    <message>
        <source>Perspective</source>
        <translation>Perspective</translation>
    </message>
    <message>
        <source>Atmosphere</source>
        <translation>Atmosphere</translation>
    </message>
    <message>
        <source>Lighting</source>
        <translation>Lighting</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Quality</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>Objects</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>Caption</translation>
    </message>
    <message>
        <source>+ Character</source>
        <translation>+ Character</translation>
    </message>
    <message>
        <source>Add a character block with the next free number</source>
        <translation>Add a character block with the next free number</translation>
    </message>
    <message>
        <source>Tags and comments the form does not show are kept in the raw text.</source>
        <translation>Tags and comments the form does not show are kept in the raw text.</translation>
    </message>
    <message>
        <source>General</source>
        <translation>General</translation>
    </message>
    <message>
        <source>Natural-language description of the scene</source>
        <translation>Natural-language description of the scene</translation>
    </message>
    <message>
        <source>Move earlier</source>
        <translation>Move earlier</translation>
    </message>
    <message>
        <source>Move later</source>
        <translation>Move later</translation>
    </message>
    <message>
        <source>Save as card…</source>
        <translation>Save as card…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Character %1</source>
        <translation>Character %1</translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptRawEdit</name>
    <message>
        <source>Write tags, natural language or NewBie XML (&lt;character_1&gt;, &lt;general_tags&gt;, …). Ctrl+Space completes tags, Ctrl+Enter generates.</source>
        <translation>Write tags, natural language or NewBie XML (&lt;character_1&gt;, &lt;general_tags&gt;, …). Ctrl+Space completes tags, Ctrl+Enter generates.</translation>
    </message>
</context>
</TS>

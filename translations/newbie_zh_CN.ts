<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>JobQueue</name>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the queue table in %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Worker</name>
    <message>
        <source>Unknown error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of GPU memory. Try a smaller size, fp16/bf16 precision, or text encoders on CPU / freed after encoding (Settings ▸ Text encoders), then generate again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid settings: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model loaded — File ▸ Open model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create folder %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>NewBie Studio — anime image generation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model folder or ComfyUI file (repeatable).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language: en or zh_CN.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scripted end-to-end run; screenshots go to DIR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Debug logging.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::GpuMonitor</name>
    <message>
        <source>Utilisation %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature °C / power W</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VRAM used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this process</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>W</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>power</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the first sample…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No GPU data: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2 GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 °C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 W</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 MHz</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this process %1 GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU %1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM %1 / %2 GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No GPU data (%1). Showing CPU and RAM.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no NVIDIA GPU</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::JobController</name>
    <message>
        <source>Stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Superseded by an edit.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::MainWindow</name>
    <message>
        <source>loading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>encoding prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>denoising</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>decoding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language changed; some panels update after a restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model loaded — File ▸ Open model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open ComfyUI files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Safetensors (*.safetensors);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import PNG parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About NewBie Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;NewBie Studio&lt;/b&gt; %1&lt;br&gt;A native C++ / LibTorch app for the NewBie-image-Exp0.1 anime image model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NewBie Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue the prompt (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put at the front of the queue (Ctrl+Shift+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the running job at its next step (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finish current image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let the running image finish, then pause the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supersede</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Editing the prompt cancels the running job from it and queues the edited one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open ComfyUI files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import PNG parameters…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel model loading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU monitor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History gallery (pending: ui/history_gallery). Finished images are saved under %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Toolbar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>job #%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#%1 done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job #%1 finished in %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job #%1 failed:
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job #%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model could not be loaded:
%1

File ▸ Open model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model: loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model: demo model — random weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last step: %1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last step: —</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a prompt first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The prompt has XML errors (see the underlined spots in the editor); fix them first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The prompt has XML errors; nothing was queued.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt edited: restarted with the new text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no generation parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters imported from %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::PreviewView</name>
    <message>
        <source>Wheel: zoom · drag: pan · double-click: fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ETA %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1 / %2 · σ %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No image yet — write a prompt and press Ctrl+Enter</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::SettingsPanel</name>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On the device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On the CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free after encoding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where Gemma and Jina CLIP live between jobs; CPU or freeing them lets 12–16 GB cards fit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text encoders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shift</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG is applied while t &lt; this value (1 = always).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG truncation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caps the norm of the guided prediction; 0 = off.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renorm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Random</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Increment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width × height</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview every N steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Application</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU runs use fp32 (bf16 matmul is slow on CPU in LibTorch 1.13)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Width and height must be multiples of 16 (they are rounded down).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated %1 memory: %2 GiB (weights %3 + working %4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning: more than the %1 GiB free on the GPU — use a smaller size, half precision or text encoders on CPU.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::ui::CompareView</name>
    <message>
        <source>Compare images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slider</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>View:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only differences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image B</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::ui::HistoryGallery</name>
    <message>
        <source>%1 has no generation parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search prompts… (field:value, e.g. character_1.clothing:serafuku)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import PNG…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load the parameters of a PNG made by NewBie Studio or an A1111-style tool (or drop it here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import PNG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Delete images</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Move %n image(s) to the trash? You can undo this.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n image(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse prompt only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reuse seed only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Toggle favourite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare the two selected images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open image folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::ui::HistoryModel</name>
    <message>
        <source>#%1 — %2×%3, seed %4
%5
%6</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptEditor</name>
    <message>
        <source>&lt;%1&gt; is never closed (missing &lt;/%1&gt;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mismatched closing tag &lt;/%1&gt;: expected &lt;/%2&gt; (opened at %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>closing tag &lt;/%1&gt; has no matching opening tag (inside &lt;%2&gt;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>closing tag &lt;/%1&gt; has no matching opening tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stray &apos;&lt;&apos; (write &amp;lt; if you mean the character)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tag &lt;%1 is missing its closing &apos;&gt;&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>malformed closing tag &apos;%1&apos; (expected &lt;/name&gt;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown entity &apos;%1&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bad entity &apos;%1&apos; (missing &apos;;&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bad character reference &apos;%1&apos; (expected &amp;#NNN; or &amp;#xHHH;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bare &apos;&amp;&apos; (write &amp;amp; if you mean the character)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unterminated %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; at the top level (it belongs inside &lt;character_N&gt;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; at the top level (it belongs inside &lt;general_tags&gt;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; inside &lt;%2&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unexpected tag &lt;%1&gt; inside &lt;%2&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>duplicate &lt;%1&gt; in &lt;%2&gt; (first at %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>duplicate &lt;%1&gt; (first at %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;%1&gt; is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>character numbering starts at 1 (&lt;character_0&gt;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>character numbering gap: &lt;%1&gt; is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Templates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Official README example (two characters)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ComfyUI workflow example</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty XML schema (Gemma chat)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Character cards</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo (Ctrl+Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo (Ctrl+Shift+Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auto (XML or tags)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>XML (official)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags / natural language (official)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ComfyUI XML template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA trainer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lumina 2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text prepended to the prompt for the Gemma encoder only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom system prompt (sent to Gemma before the prompt)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw XML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gemma tokens (system prompt included); the model reads at most %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Negative prompt:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty by default (the model&apos;s own unconditional input)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1, column %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(%1 errors, %2 warnings)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Valid NewBie XML: %n character(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Plain tags / natural language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2 — truncated: the model ignores the tokens after %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No data folder is set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no &lt;character_%1&gt; in the prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Character %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save character card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save the card: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save &lt;character_%1&gt; as card…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no data folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no saved cards)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Insert “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the card “%1”?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptForm</name>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gender</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Body type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interaction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Position</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Artists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Style</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Background</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perspective</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atmosphere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lighting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Objects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caption</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+ Character</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a character block with the next free number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags and comments the form does not show are kept in the raw text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Natural-language description of the scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move earlier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as card…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Character %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptRawEdit</name>
    <message>
        <source>Write tags, natural language or NewBie XML (&lt;character_1&gt;, &lt;general_tags&gt;, …). Ctrl+Space completes tags, Ctrl+Enter generates.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>

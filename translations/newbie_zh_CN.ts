<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>JobQueue</name>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>Cannot create the queue table in %1: %2</source>
        <translation>无法在 %1 中创建队列表：%2</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message numerus="yes">
        <source>%n step(s)</source>
        <translation>
            <numerusform>%n 步</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Worker</name>
    <message>
        <source>Unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>Out of GPU memory. Try a smaller size, fp16/bf16 precision, or text encoders on CPU / freed after encoding (Settings ▸ Text encoders), then generate again.</source>
        <translation>GPU 显存不足。请尝试更小的尺寸、fp16/bf16 精度，或将文本编码器放在 CPU 上 / 编码后释放（设置 ▸ 文本编码器），然后重新生成。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Invalid settings: %1</source>
        <translation>设置无效：%1</translation>
    </message>
    <message>
        <source>No model loaded — File ▸ Open model…</source>
        <translation>未加载模型 — 文件 ▸ 打开模型…</translation>
    </message>
    <message>
        <source>Cannot create folder %1</source>
        <translation>无法创建文件夹 %1</translation>
    </message>
    <message>
        <source>Cannot save the image: %1</source>
        <translation>无法保存图像：%1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>NewBie Studio — anime image generation</source>
        <translation>NewBie Studio — 动漫图像生成</translation>
    </message>
    <message>
        <source>Model folder or ComfyUI file (repeatable).</source>
        <translation>模型文件夹或 ComfyUI 文件（可重复指定）。</translation>
    </message>
    <message>
        <source>Language: en or zh_CN.</source>
        <translation>语言：en 或 zh_CN。</translation>
    </message>
    <message>
        <source>Scripted end-to-end run; screenshots go to DIR.</source>
        <translation>脚本化端到端运行；截图保存到 DIR。</translation>
    </message>
    <message>
        <source>Debug logging.</source>
        <translation>调试日志。</translation>
    </message>
    <message>
        <source>Save a screenshot of the window to FILE and quit.</source>
        <translation>将窗口截图保存到 FILE 后退出。</translation>
    </message>
</context>
<context>
    <name>newbie::GpuMonitor</name>
    <message>
        <source>Utilisation %</source>
        <translation>利用率 %</translation>
    </message>
    <message>
        <source>Memory GB</source>
        <translation>内存 GB</translation>
    </message>
    <message>
        <source>Temperature °C / power W</source>
        <translation>温度 °C / 功率 W</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
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
        <translation>已用显存</translation>
    </message>
    <message>
        <source>RAM used</source>
        <translation>已用内存</translation>
    </message>
    <message>
        <source>this process</source>
        <translation>本进程</translation>
    </message>
    <message>
        <source>W</source>
        <translation>W</translation>
    </message>
    <message>
        <source>temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>power</source>
        <translation>功率</translation>
    </message>
    <message>
        <source>Waiting for the first sample…</source>
        <translation>正在等待第一个采样…</translation>
    </message>
    <message>
        <source>No GPU data: %1</source>
        <translation>无 GPU 数据：%1</translation>
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
        <translation>本进程 %1 GB</translation>
    </message>
    <message>
        <source>CPU %1 %</source>
        <translation>CPU %1 %</translation>
    </message>
    <message>
        <source>RAM %1 / %2 GB</source>
        <translation>内存 %1 / %2 GB</translation>
    </message>
    <message>
        <source>No GPU data (%1). Showing CPU and RAM.</source>
        <translation>无 GPU 数据（%1）。显示 CPU 和内存。</translation>
    </message>
    <message>
        <source>no NVIDIA GPU</source>
        <translation>没有 NVIDIA GPU</translation>
    </message>
</context>
<context>
    <name>newbie::JobController</name>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Superseded by an edit.</source>
        <translation>已被新的编辑取代。</translation>
    </message>
</context>
<context>
    <name>newbie::MainWindow</name>
    <message>
        <source>loading</source>
        <translation>加载中</translation>
    </message>
    <message>
        <source>encoding prompt</source>
        <translation>编码提示词</translation>
    </message>
    <message>
        <source>denoising</source>
        <translation>去噪</translation>
    </message>
    <message>
        <source>decoding</source>
        <translation>解码</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Language changed.</source>
        <translation>语言已更改。</translation>
    </message>
    <message>
        <source>No model loaded — File ▸ Open model…</source>
        <translation>未加载模型 — 文件 ▸ 打开模型…</translation>
    </message>
    <message>
        <source>Open model folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Open ComfyUI files</source>
        <translation>打开 ComfyUI 文件</translation>
    </message>
    <message>
        <source>Safetensors (*.safetensors);;All files (*)</source>
        <translation>Safetensors 文件 (*.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import PNG parameters</source>
        <translation>导入 PNG 参数</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>About NewBie Studio</source>
        <translation>关于 NewBie Studio</translation>
    </message>
    <message>
        <source>&lt;b&gt;NewBie Studio&lt;/b&gt; %1&lt;br&gt;A native C++ / LibTorch app for the NewBie-image-Exp0.1 anime image model.</source>
        <translation>&lt;b&gt;NewBie Studio&lt;/b&gt; %1&lt;br&gt;面向 NewBie-image-Exp0.1 动漫图像模型的原生 C++ / LibTorch 应用。</translation>
    </message>
    <message>
        <source>NewBie Studio</source>
        <translation>NewBie Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Queue the prompt (Ctrl+Enter)</source>
        <translation>将提示词加入队列（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Generate next</source>
        <translation>下一个生成</translation>
    </message>
    <message>
        <source>Put at the front of the queue (Ctrl+Shift+Enter)</source>
        <translation>放到队列最前（Ctrl+Shift+Enter）</translation>
    </message>
    <message>
        <source>Stop now</source>
        <translation>立即停止</translation>
    </message>
    <message>
        <source>Stop the running job at its next step (Esc)</source>
        <translation>在下一步停止正在运行的任务（Esc）</translation>
    </message>
    <message>
        <source>Finish current image</source>
        <translation>完成当前图像</translation>
    </message>
    <message>
        <source>Let the running image finish, then pause the queue</source>
        <translation>让当前图像完成，然后暂停队列</translation>
    </message>
    <message>
        <source>Cancel queued</source>
        <translation>取消排队任务</translation>
    </message>
    <message>
        <source>Pause queue</source>
        <translation>暂停队列</translation>
    </message>
    <message>
        <source>Supersede</source>
        <translation>编辑即替换</translation>
    </message>
    <message>
        <source>Editing the prompt cancels the running job from it and queues the edited one</source>
        <translation>编辑提示词会取消由它启动的运行中任务，并将编辑后的版本加入队列</translation>
    </message>
    <message>
        <source>Search history</source>
        <translation>搜索历史</translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation>打开模型文件夹…</translation>
    </message>
    <message>
        <source>Open ComfyUI files…</source>
        <translation>打开 ComfyUI 文件…</translation>
    </message>
    <message>
        <source>Import PNG parameters…</source>
        <translation>导入 PNG 参数…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>清除已完成</translation>
    </message>
    <message>
        <source>Cancel model loading</source>
        <translation>取消加载模型</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <source>GPU monitor</source>
        <translation>GPU 监视器</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Toolbar</source>
        <translation>工具栏</translation>
    </message>
    <message>
        <source>job #%1</source>
        <translation>任务 #%1</translation>
    </message>
    <message>
        <source>#%1 · %2</source>
        <translation>#%1 · %2</translation>
    </message>
    <message>
        <source>#%1 done</source>
        <translation>#%1 完成</translation>
    </message>
    <message>
        <source>Job #%1 finished in %2 s</source>
        <translation>任务 #%1 已完成，用时 %2 秒</translation>
    </message>
    <message>
        <source>Job #%1 failed:
%2</source>
        <translation>任务 #%1 失败：
%2</translation>
    </message>
    <message>
        <source>Job #%1: %2</source>
        <translation>任务 #%1：%2</translation>
    </message>
    <message>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>The model could not be loaded:
%1

File ▸ Open model…</source>
        <translation>无法加载模型：
%1

文件 ▸ 打开模型…</translation>
    </message>
    <message>
        <source>Model: loading…</source>
        <translation>模型：加载中…</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Model: demo model — random weights</source>
        <translation>模型：演示模型 — 随机权重</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <source>Queue: %1</source>
        <translation>队列：%1</translation>
    </message>
    <message>
        <source>Last step: %1 ms</source>
        <translation>上一步：%1 毫秒</translation>
    </message>
    <message>
        <source>Last step: —</source>
        <translation>上一步：—</translation>
    </message>
    <message>
        <source>Write a prompt first.</source>
        <translation>请先输入提示词。</translation>
    </message>
    <message>
        <source>The prompt has XML errors (see the underlined spots in the editor); fix them first.</source>
        <translation>提示词存在 XML 错误（见编辑器中带下划线的位置）；请先修正。</translation>
    </message>
    <message>
        <source>The prompt has XML errors; nothing was queued.</source>
        <translation>提示词存在 XML 错误；未加入队列。</translation>
    </message>
    <message>
        <source>Prompt edited: restarted with the new text.</source>
        <translation>提示词已编辑：已使用新文本重新开始。</translation>
    </message>
    <message>
        <source>Parameters imported from %1</source>
        <translation>已从 %1 导入参数</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>newbie::PreviewView</name>
    <message>
        <source>Wheel: zoom · drag: pan · double-click: fit</source>
        <translation>滚轮：缩放 · 拖动：平移 · 双击：适应窗口</translation>
    </message>
    <message>
        <source>ETA %1 s</source>
        <translation>预计剩余 %1 秒</translation>
    </message>
    <message>
        <source>step %1 / %2 · σ %3</source>
        <translation>第 %1 / %2 步 · σ %3</translation>
    </message>
    <message>
        <source>No image yet — write a prompt and press Ctrl+Enter</source>
        <translation>还没有图像 — 输入提示词并按 Ctrl+Enter</translation>
    </message>
</context>
<context>
    <name>newbie::SettingsPanel</name>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精度</translation>
    </message>
    <message>
        <source>On the device</source>
        <translation>放在设备上</translation>
    </message>
    <message>
        <source>On the CPU</source>
        <translation>放在 CPU 上</translation>
    </message>
    <message>
        <source>Free after encoding</source>
        <translation>编码后释放</translation>
    </message>
    <message>
        <source>Where Gemma and Jina CLIP live between jobs; CPU or freeing them lets 12–16 GB cards fit.</source>
        <translation>Gemma 和 Jina CLIP 在任务之间的存放位置；放在 CPU 上或释放可让 12–16 GB 显卡也能运行。</translation>
    </message>
    <message>
        <source>Text encoders</source>
        <translation>文本编码器</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>采样器</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>调度</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>偏移</translation>
    </message>
    <message>
        <source>CFG scale</source>
        <translation>CFG 强度</translation>
    </message>
    <message>
        <source>CFG is applied while t &lt; this value (1 = always).</source>
        <translation>当 t &lt; 此值时应用 CFG（1 = 始终）。</translation>
    </message>
    <message>
        <source>CFG truncation</source>
        <translation>CFG 截断</translation>
    </message>
    <message>
        <source>Caps the norm of the guided prediction; 0 = off.</source>
        <translation>限制引导预测的范数；0 = 关闭。</translation>
    </message>
    <message>
        <source>Renorm</source>
        <translation>重归一化</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>固定</translation>
    </message>
    <message>
        <source>Increment</source>
        <translation>递增</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Width × height</source>
        <translation>宽 × 高</translation>
    </message>
    <message>
        <source>Batch count</source>
        <translation>批次数量</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Preview every N steps</source>
        <translation>每 N 步预览</translation>
    </message>
    <message>
        <source>Application</source>
        <translation>应用程序</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>CPU runs use fp32 (bf16 matmul is slow on CPU in LibTorch 1.13)</source>
        <translation>CPU 运行使用 fp32（LibTorch 1.13 在 CPU 上的 bf16 矩阵乘法很慢）</translation>
    </message>
    <message>
        <source>fp8 (e4m3, CUDA, faster, approximate)</source>
        <translation>fp8（e4m3，仅 CUDA，更快，近似）</translation>
    </message>
    <message>
        <source>Width and height must be multiples of 16 (they are rounded down).</source>
        <translation>宽和高必须是 16 的倍数（将向下取整）。</translation>
    </message>
    <message>
        <source>Estimated %1 memory: %2 GiB (weights %3 + working %4)</source>
        <translation>预计 %1 占用：%2 GiB（权重 %3 + 运行 %4）</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>VRAM</source>
        <translation>显存</translation>
    </message>
    <message>
        <source>Warning: more than the %1 GiB free on the GPU — use a smaller size, half precision or text encoders on CPU.</source>
        <translation>警告：超过 GPU 上可用的 %1 GiB — 请使用更小的尺寸、半精度或将文本编码器放在 CPU 上。</translation>
    </message>
</context>
<context>
    <name>newbie::ui::CompareView</name>
    <message>
        <source>Compare images</source>
        <translation>比较图像</translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation>并排</translation>
    </message>
    <message>
        <source>Slider</source>
        <translation>滑块</translation>
    </message>
    <message>
        <source>View:</source>
        <translation>视图：</translation>
    </message>
    <message>
        <source>Only differences</source>
        <translation>仅显示差异</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Image A</source>
        <translation>图像 A</translation>
    </message>
    <message>
        <source>Image B</source>
        <translation>图像 B</translation>
    </message>
</context>
<context>
    <name>newbie::ui::HistoryGallery</name>
    <message>
        <source>%1 has no generation parameters</source>
        <translation>%1 没有生成参数</translation>
    </message>
    <message>
        <source>Search prompts… (field:value, e.g. character_1.clothing:serafuku)</source>
        <translation>搜索提示词…（字段:值，例如 character_1.clothing:serafuku）</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>任何时间</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>所有模型</translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation>收藏</translation>
    </message>
    <message>
        <source>Import PNG…</source>
        <translation>导入 PNG…</translation>
    </message>
    <message>
        <source>Load the parameters of a PNG made by NewBie Studio or an A1111-style tool (or drop it here)</source>
        <translation>载入由 NewBie Studio 或 A1111 类工具生成的 PNG 的参数（也可拖放到此处）</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Import PNG</source>
        <translation>导入 PNG</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 张图像</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete images</source>
        <translation>删除图像</translation>
    </message>
    <message numerus="yes">
        <source>Move %n image(s) to the trash? You can undo this.</source>
        <translation>
            <numerusform>将 %n 张图像移到回收站？此操作可以撤销。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n image(s).</source>
        <translation>
            <numerusform>已删除 %n 张图像。</numerusform>
        </translation>
    </message>
    <message>
        <source>Reuse all parameters</source>
        <translation>复用全部参数</translation>
    </message>
    <message>
        <source>Reuse prompt only</source>
        <translation>仅复用提示词</translation>
    </message>
    <message>
        <source>Reuse seed only</source>
        <translation>仅复用种子</translation>
    </message>
    <message>
        <source>Toggle favourite</source>
        <translation>切换收藏</translation>
    </message>
    <message>
        <source>Compare the two selected images</source>
        <translation>比较选中的两张图像</translation>
    </message>
    <message>
        <source>Open image folder</source>
        <translation>打开图像所在文件夹</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
</context>
<context>
    <name>newbie::ui::HistoryModel</name>
    <message>
        <source>#%1 — %2×%3, seed %4
%5
%6</source>
        <translation>#%1 — %2×%3，种子 %4
%5
%6</translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptEditor</name>
    <message>
        <source>&lt;%1&gt; is never closed (missing &lt;/%1&gt;)</source>
        <translation>&lt;%1&gt; 没有闭合（缺少 &lt;/%1&gt;）</translation>
    </message>
    <message>
        <source>mismatched closing tag &lt;/%1&gt;: expected &lt;/%2&gt; (opened at %3)</source>
        <translation>闭合标签 &lt;/%1&gt; 不匹配：应为 &lt;/%2&gt;（在 %3 打开）</translation>
    </message>
    <message>
        <source>closing tag &lt;/%1&gt; has no matching opening tag (inside &lt;%2&gt;)</source>
        <translation>闭合标签 &lt;/%1&gt; 没有对应的开始标签（位于 &lt;%2&gt; 内）</translation>
    </message>
    <message>
        <source>closing tag &lt;/%1&gt; has no matching opening tag</source>
        <translation>闭合标签 &lt;/%1&gt; 没有对应的开始标签</translation>
    </message>
    <message>
        <source>stray &apos;&lt;&apos; (write &amp;lt; if you mean the character)</source>
        <translation>多余的 &apos;&lt;&apos;（如果要表示该字符，请写 &amp;lt;）</translation>
    </message>
    <message>
        <source>tag &lt;%1 is missing its closing &apos;&gt;&apos;</source>
        <translation>标签 &lt;%1 缺少结尾的 &apos;&gt;&apos;</translation>
    </message>
    <message>
        <source>malformed closing tag &apos;%1&apos; (expected &lt;/name&gt;)</source>
        <translation>闭合标签 &apos;%1&apos; 格式错误（应为 &lt;/name&gt;）</translation>
    </message>
    <message>
        <source>unknown entity &apos;%1&apos;</source>
        <translation>未知实体 &apos;%1&apos;</translation>
    </message>
    <message>
        <source>bad entity &apos;%1&apos; (missing &apos;;&apos;)</source>
        <translation>实体 &apos;%1&apos; 有误（缺少 &apos;;&apos;）</translation>
    </message>
    <message>
        <source>bad character reference &apos;%1&apos; (expected &amp;#NNN; or &amp;#xHHH;)</source>
        <translation>字符引用 &apos;%1&apos; 有误（应为 &amp;#NNN; 或 &amp;#xHHH;）</translation>
    </message>
    <message>
        <source>bare &apos;&amp;&apos; (write &amp;amp; if you mean the character)</source>
        <translation>单独的 &apos;&amp;&apos;（如果要表示该字符，请写 &amp;amp;）</translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; at the top level (it belongs inside &lt;character_N&gt;)</source>
        <translation>顶层出现未知标签 &lt;%1&gt;（它应位于 &lt;character_N&gt; 内）</translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; at the top level (it belongs inside &lt;general_tags&gt;)</source>
        <translation>顶层出现未知标签 &lt;%1&gt;（它应位于 &lt;general_tags&gt; 内）</translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt; inside &lt;%2&gt;</source>
        <translation>&lt;%2&gt; 内有未知标签 &lt;%1&gt;</translation>
    </message>
    <message>
        <source>unknown tag &lt;%1&gt;</source>
        <translation>未知标签 &lt;%1&gt;</translation>
    </message>
    <message>
        <source>unexpected tag &lt;%1&gt; inside &lt;%2&gt;</source>
        <translation>&lt;%2&gt; 内不应出现标签 &lt;%1&gt;</translation>
    </message>
    <message>
        <source>duplicate &lt;%1&gt; in &lt;%2&gt; (first at %3)</source>
        <translation>&lt;%2&gt; 中重复的 &lt;%1&gt;（首次出现在 %3）</translation>
    </message>
    <message>
        <source>duplicate &lt;%1&gt; (first at %2)</source>
        <translation>重复的 &lt;%1&gt;（首次出现在 %2）</translation>
    </message>
    <message>
        <source>&lt;%1&gt; is empty</source>
        <translation>&lt;%1&gt; 为空</translation>
    </message>
    <message>
        <source>character numbering starts at 1 (&lt;character_0&gt;)</source>
        <translation>角色编号从 1 开始（&lt;character_0&gt;）</translation>
    </message>
    <message>
        <source>character numbering gap: &lt;%1&gt; is missing</source>
        <translation>角色编号不连续：缺少 &lt;%1&gt;</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>模板</translation>
    </message>
    <message>
        <source>Official README example (two characters)</source>
        <translation>官方 README 示例（两个角色）</translation>
    </message>
    <message>
        <source>ComfyUI workflow example</source>
        <translation>ComfyUI 工作流示例</translation>
    </message>
    <message>
        <source>Empty XML schema (Gemma chat)</source>
        <translation>空白 XML 结构（Gemma 对话）</translation>
    </message>
    <message>
        <source>Character cards</source>
        <translation>角色卡</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo (Ctrl+Z)</source>
        <translation>撤销（Ctrl+Z）</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Redo (Ctrl+Shift+Z)</source>
        <translation>重做（Ctrl+Shift+Z）</translation>
    </message>
    <message>
        <source>System prompt:</source>
        <translation>系统提示词：</translation>
    </message>
    <message>
        <source>Auto (XML or tags)</source>
        <translation>自动（XML 或标签）</translation>
    </message>
    <message>
        <source>XML (official)</source>
        <translation>XML（官方）</translation>
    </message>
    <message>
        <source>Tags / natural language (official)</source>
        <translation>标签 / 自然语言（官方）</translation>
    </message>
    <message>
        <source>ComfyUI XML template</source>
        <translation>ComfyUI XML 模板</translation>
    </message>
    <message>
        <source>LoRA trainer</source>
        <translation>LoRA 训练器</translation>
    </message>
    <message>
        <source>Lumina 2</source>
        <translation>Lumina 2</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <source>Text prepended to the prompt for the Gemma encoder only</source>
        <translation>仅为 Gemma 编码器添加在提示词之前的文本</translation>
    </message>
    <message>
        <source>Custom system prompt (sent to Gemma before the prompt)</source>
        <translation>自定义系统提示词（在提示词之前发送给 Gemma）</translation>
    </message>
    <message>
        <source>Raw XML</source>
        <translation>原始 XML</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>表单</translation>
    </message>
    <message>
        <source>Gemma tokens (system prompt included); the model reads at most %1</source>
        <translation>Gemma 词元数（含系统提示词）；模型最多读取 %1 个</translation>
    </message>
    <message>
        <source>Negative prompt:</source>
        <translation>负面提示词：</translation>
    </message>
    <message>
        <source>Empty by default (the model&apos;s own unconditional input)</source>
        <translation>默认为空（使用模型自身的无条件输入）</translation>
    </message>
    <message>
        <source>Empty prompt</source>
        <translation>提示词为空</translation>
    </message>
    <message>
        <source>line %1, column %2</source>
        <translation>第 %1 行，第 %2 列</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>(%1 errors, %2 warnings)</source>
        <translation>（%1 个错误，%2 个警告）</translation>
    </message>
    <message numerus="yes">
        <source>Valid NewBie XML: %n character(s)</source>
        <translation>
            <numerusform>有效的 NewBie XML：%n 个角色</numerusform>
        </translation>
    </message>
    <message>
        <source>Plain tags / natural language</source>
        <translation>纯标签 / 自然语言</translation>
    </message>
    <message>
        <source>%1 / %2 — truncated: the model ignores the tokens after %2</source>
        <translation>%1 / %2 — 已截断：模型会忽略第 %2 个之后的词元</translation>
    </message>
    <message>
        <source>No data folder is set</source>
        <translation>未设置数据文件夹</translation>
    </message>
    <message>
        <source>There is no &lt;character_%1&gt; in the prompt</source>
        <translation>提示词中没有 &lt;character_%1&gt;</translation>
    </message>
    <message>
        <source>Character %1</source>
        <translation>角色 %1</translation>
    </message>
    <message>
        <source>Save character card</source>
        <translation>保存角色卡</translation>
    </message>
    <message>
        <source>Card name:</source>
        <translation>角色卡名称：</translation>
    </message>
    <message>
        <source>Could not save the card: %1</source>
        <translation>无法保存角色卡：%1</translation>
    </message>
    <message>
        <source>Save &lt;character_%1&gt; as card…</source>
        <translation>将 &lt;character_%1&gt; 保存为角色卡…</translation>
    </message>
    <message>
        <source>(no data folder)</source>
        <translation>（无数据文件夹）</translation>
    </message>
    <message>
        <source>(no saved cards)</source>
        <translation>（没有已保存的角色卡）</translation>
    </message>
    <message>
        <source>Delete card</source>
        <translation>删除角色卡</translation>
    </message>
    <message>
        <source>Insert “%1”</source>
        <translation>插入“%1”</translation>
    </message>
    <message>
        <source>Delete the card “%1”?</source>
        <translation>删除角色卡“%1”？</translation>
    </message>
    <message>
        <source>unterminated comment (missing &apos;--&gt;&apos;)</source>
        <translation>注释未结束（缺少 &apos;--&gt;&apos;）</translation>
    </message>
    <message>
        <source>unterminated CDATA section (missing &apos;]]&gt;&apos;)</source>
        <translation>CDATA 段未结束（缺少 &apos;]]&gt;&apos;）</translation>
    </message>
    <message>
        <source>unterminated processing instruction (missing &apos;?&gt;&apos;)</source>
        <translation>处理指令未结束（缺少 &apos;?&gt;&apos;）</translation>
    </message>
    <message>
        <source>unterminated declaration (missing &apos;&gt;&apos;)</source>
        <translation>声明未结束（缺少 &apos;&gt;&apos;）</translation>
    </message>
    <message>
        <source>None (no system prompt)</source>
        <translation>无（不使用系统提示词）</translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptForm</name>
    <message>
        <source>Name</source>
        <translation>名字</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外貌</translation>
    </message>
    <message>
        <source>Clothing</source>
        <translation>服装</translation>
    </message>
    <message>
        <source>Body type</source>
        <translation>体型</translation>
    </message>
    <message>
        <source>Expression</source>
        <translation>表情</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>动作</translation>
    </message>
    <message>
        <source>Interaction</source>
        <translation>互动</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>人数</translation>
    </message>
    <message>
        <source>Artists</source>
        <translation>画师</translation>
    </message>
    <message>
        <source>Style</source>
        <translation>风格</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <source>Environment</source>
        <translation>环境</translation>
    </message>
    <message>
        <source>Perspective</source>
        <translation>视角</translation>
    </message>
    <message>
        <source>Atmosphere</source>
        <translation>氛围</translation>
    </message>
    <message>
        <source>Lighting</source>
        <translation>光照</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>质量</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>物品</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>+ Character</source>
        <translation>+ 角色</translation>
    </message>
    <message>
        <source>Add a character block with the next free number</source>
        <translation>添加一个使用下一个可用编号的角色块</translation>
    </message>
    <message>
        <source>Tags and comments the form does not show are kept in the raw text.</source>
        <translation>表单未显示的标签和注释会保留在原始文本中。</translation>
    </message>
    <message>
        <source>General</source>
        <translation>通用</translation>
    </message>
    <message>
        <source>Natural-language description of the scene</source>
        <translation>用自然语言描述场景</translation>
    </message>
    <message>
        <source>Move earlier</source>
        <translation>前移</translation>
    </message>
    <message>
        <source>Move later</source>
        <translation>后移</translation>
    </message>
    <message>
        <source>Save as card…</source>
        <translation>保存为角色卡…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Character %1</source>
        <translation>角色 %1</translation>
    </message>
</context>
<context>
    <name>newbie::ui::PromptRawEdit</name>
    <message>
        <source>Write tags, natural language or NewBie XML (&lt;character_1&gt;, &lt;general_tags&gt;, …). Ctrl+Space completes tags, Ctrl+Enter generates.</source>
        <translation>输入标签、自然语言或 NewBie XML（&lt;character_1&gt;、&lt;general_tags&gt; 等）。Ctrl+Space 补全标签，Ctrl+Enter 生成。</translation>
    </message>
</context>
</TS>

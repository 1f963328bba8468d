// Runs an ONNX model through onnxruntime-node on raw float32 inputs, for the Python parity checks.
// usage: node ort-run.cjs model.onnx dir   (dir/inputs.json: {name: {dims, file}}; writes dir/<output>.bin + outputs.json)
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const [modelPath, dir] = process.argv.slice(2);
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'inputs.json'), 'utf8'));
  const feeds = {};
  for (const [name, { dims, file }] of Object.entries(spec)) {
    const buf = fs.readFileSync(path.join(dir, file));
    feeds[name] = new ort.Tensor('float32', new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), dims);
  }
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: 2 });
  const results = await session.run(feeds);
  const out = {};
  for (const [name, tensor] of Object.entries(results)) {
    fs.writeFileSync(path.join(dir, `${name}.bin`), Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    out[name] = { dims: tensor.dims, file: `${name}.bin` };
  }
  fs.writeFileSync(path.join(dir, 'outputs.json'), JSON.stringify(out));
}

main().catch((e) => { console.error(`ort-run: ${e.message}`); process.exit(1); });
